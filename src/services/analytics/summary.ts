import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { events } from "../../db/schema";
import type { ProjectContext } from "../context";
import type { EventQuery } from "../events/filters";
import { whereClause } from "../events/query";

// Analytics (README "The dashboard", Analytics) over one time range: every query is bounded by that
// range and the scope of the viewer, and reads an index that leads with (project_id, …,
// occurred_at).

export type Analytics = {
  from: number;
  to: number;
  bucketMs: number;
  overTime: { bucket: number; category: string; count: number }[];
  categories: { category: string; count: number }[];
  statuses: { status: string | null; count: number }[];
  topTypes: { type: string; count: number }[];
  topActors: { actorId: string; name: string | null; count: number }[];
  auth: { type: string; status: string | null; count: number }[];
  apiErrors: { bucket: number; total: number; failed: number }[];
  total: number;
};

export async function analytics(
  ctx: ProjectContext,
  query: EventQuery & { from: number; to: number },
  bucketMs: number,
): Promise<Analytics> {
  const { db } = ctx;
  const where = whereClause(ctx.project.id, query);
  // Bound numbers reach D1 as REAL: the cast keeps the bucket a whole number.
  const bucket = sql<number>`CAST((${events.occurredAt} - ${query.from}) / ${bucketMs} AS INTEGER)`;
  const n = sql<number>`count(*)`;
  const [overTime, statuses, topTypes, topActors, auth, apiErrors] = await Promise.all([
    db
      .select({ bucket, category: events.category, count: n })
      .from(events)
      .where(where)
      .groupBy(bucket, events.category),
    db.select({ status: events.status, count: n }).from(events).where(where).groupBy(events.status).orderBy(desc(n)),
    db
      .select({ type: events.type, count: n })
      .from(events)
      .where(where)
      .groupBy(events.type)
      .orderBy(desc(n), events.type)
      .limit(10),
    db
      .select({
        actorId: sql<string>`${events.actorId}`,
        name: sql<string | null>`max(coalesce(${events.actorName}, ${events.actorEmail}))`,
        count: n,
      })
      .from(events)
      .where(and(where, isNotNull(events.actorId)))
      .groupBy(events.actorId)
      .orderBy(desc(n), events.actorId)
      .limit(10),
    db
      .select({ type: events.type, status: events.status, count: n })
      .from(events)
      .where(and(where, eq(events.category, "auth")))
      .groupBy(events.type, events.status)
      .orderBy(desc(n)),
    db
      .select({
        bucket,
        total: n,
        failed: sql<number>`sum(CASE WHEN ${events.status} = 'failure' OR ${events.statusCode} >= 400 THEN 1 ELSE 0 END)`,
      })
      .from(events)
      .where(and(where, eq(events.category, "api_request")))
      .groupBy(bucket),
  ]);
  const byCategory = new Map<string, number>();
  for (const row of overTime) byCategory.set(row.category, (byCategory.get(row.category) ?? 0) + row.count);
  const categories = [...byCategory]
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  return {
    from: query.from,
    to: query.to,
    bucketMs,
    overTime,
    categories,
    statuses,
    topTypes,
    topActors,
    auth,
    apiErrors: apiErrors.map((r) => ({ ...r, failed: Number(r.failed) })),
    total: categories.reduce((sum, c) => sum + c.count, 0),
  };
}
