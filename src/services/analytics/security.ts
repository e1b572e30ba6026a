import { and, desc, eq, like, sql } from "drizzle-orm";
import { events, type Notification, notifications } from "../../db/schema";
import type { Access } from "../../lib/permissions";
import type { ProjectContext } from "../context";
import { scopeForAccess } from "../events/filters";
import { whereClause } from "../events/query";

const DAY = 24 * 3600_000;

export type SecurityOverview = {
  /** The project's security notifications, newest first. */
  alerts: Notification[];
  /** Failed sign-ins of the last day, by actor and by address, most first. */
  byActor: { key: string; name: string | null; count: number }[];
  byIp: { key: string; count: number }[];
};

/** The Security page: alerts raised, and who failed to sign in over the last day (within `access`). */
export async function securityOverview(
  ctx: ProjectContext,
  access: Access,
  now = Date.now(),
): Promise<SecurityOverview> {
  const { db, project } = ctx;
  const alerts = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.projectId, project.id), like(notifications.type, "security.%")))
    .orderBy(desc(notifications.createdAt))
    .limit(200);
  const where = and(
    whereClause(project.id, scopeForAccess({ from: now - DAY, to: now, conditions: [], text: [] }, access)),
    eq(events.category, "auth"),
    eq(events.status, "failure"),
  );
  const n = sql<number>`count(*)`;
  const [byActor, byIp] = await Promise.all([
    db
      .select({
        key: sql<string>`${events.actorId}`,
        name: sql<string | null>`max(coalesce(${events.actorEmail}, ${events.actorName}))`,
        count: n,
      })
      .from(events)
      .where(and(where, sql`${events.actorId} IS NOT NULL`))
      .groupBy(events.actorId)
      .orderBy(desc(n))
      .limit(10),
    db
      .select({ key: sql<string>`${events.requestIp}`, count: n })
      .from(events)
      .where(and(where, sql`${events.requestIp} IS NOT NULL`))
      .groupBy(events.requestIp)
      .orderBy(desc(n))
      .limit(10),
  ]);
  return { alerts, byActor, byIp };
}
