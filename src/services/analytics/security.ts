import { and, desc, eq, like, sql } from "drizzle-orm";
import { type Notification, notifications } from "../../db/schema";
import { actors, events } from "../../db/shard/schema";
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
  const failed = scopeForAccess(
    {
      from: now - DAY,
      to: now,
      conditions: [
        { kind: "equals", column: "category", values: ["auth"], negated: false },
        { kind: "equals", column: "status", values: ["failure"], negated: false },
      ],
      text: [],
    },
    access,
  );
  const where = whereClause(ctx.events.pn, failed);
  const shard = ctx.events.db;
  const [byActor, byIp] = await Promise.all([
    // Grouped by the actor's id: its dictionary holds one entry per id, name and e-mail seen.
    shard.all<{ key: string; name: string | null; count: number }>(
      sql`SELECT ${actors.actorId} AS key, max(nullif(coalesce(nullif(${actors.email}, ''), ${actors.name}), '')) AS name, count(*) AS count
        FROM ${events} JOIN ${actors} ON ${actors.id} = ${events.actor}
        WHERE ${where} AND ${actors.actorId} <> '' GROUP BY ${actors.actorId} ORDER BY count DESC LIMIT 10`,
    ),
    shard.all<{ key: string; count: number }>(
      sql`SELECT ${events.requestIp} AS key, count(*) AS count FROM ${events}
        WHERE ${where} AND ${events.requestIp} IS NOT NULL GROUP BY ${events.requestIp} ORDER BY count DESC LIMIT 10`,
    ),
  ]);
  return { alerts, byActor, byIp };
}
