import { and, type SQL, sql } from "drizzle-orm";
import { actors, events, FACETS, terms } from "../../db/shard/schema";
import type { ProjectContext } from "../context";
import type { EventQuery } from "../events/filters";
import { whereClause } from "../events/query";

// Analytics (README "The dashboard", Analytics) over one time range: every query is bounded by that
// range and the scope of the viewer, and reads an index that leads with (pn, …, occurred_at) on the
// project's shard; values stored as terms are counted by id and named afterwards.

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

/** Term ids counted in a CTE, named by the dictionary in the same statement. */
const named = (id: SQL) => sql`(SELECT ${terms.value} FROM ${terms} WHERE ${terms.id} = ${id})`;

/**
 * Counts over `query`'s range; buckets of `bucketMs` counted from `origin` (at or before the range's
 * start, so buckets can start on round times while the range starts where the viewer's does).
 */
export async function analytics(
  ctx: ProjectContext,
  query: EventQuery & { from: number; to: number },
  bucketMs: number,
  origin = query.from,
): Promise<Analytics> {
  const { db, pn } = ctx.events;
  const where = whereClause(pn, query);
  // Bound numbers reach D1 as REAL: the cast keeps the bucket a whole number.
  const bucket = sql`CAST((${events.occurredAt} - ${origin}) / ${bucketMs} AS INTEGER)`;
  const term = (facet: number, value: string) =>
    sql`(SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(facet))} AND ${terms.value} = ${value})`;
  const isAuth = sql`${events.category} = ${term(FACETS.category, "auth")}`;
  const isApi = sql`${events.category} = ${term(FACETS.category, "api_request")}`;
  const failed = sql`${events.status} = ${term(FACETS.status, "failure")} OR ${events.data} ->> '$.request.status_code' >= 400`;
  const [overTime, statuses, topTypes, topActors, auth, apiErrors] = await Promise.all([
    db.all<{ bucket: number; category: string; count: number }>(
      sql`WITH g AS (SELECT ${bucket} AS bucket, ${events.category} AS c, count(*) AS n FROM ${events} WHERE ${where} GROUP BY 1, 2)
        SELECT bucket, ${named(sql`c`)} AS category, n AS count FROM g`,
    ),
    db.all<{ status: string | null; count: number }>(
      sql`WITH g AS (SELECT ${events.status} AS s, count(*) AS n FROM ${events} WHERE ${where} GROUP BY 1)
        SELECT ${named(sql`s`)} AS status, n AS count FROM g ORDER BY n DESC`,
    ),
    db.all<{ type: string; count: number }>(
      sql`WITH g AS (SELECT ${events.type} AS t, count(*) AS n FROM ${events} WHERE ${where} GROUP BY 1)
        SELECT ${named(sql`t`)} AS type, n AS count FROM g ORDER BY n DESC, type LIMIT 10`,
    ),
    // By the actor's id: its dictionary holds one entry per id, name and e-mail seen.
    db.all<{ actorId: string; name: string | null; count: number }>(
      sql`SELECT ${actors.actorId} AS actorId, max(nullif(coalesce(nullif(${actors.name}, ''), ${actors.email}), '')) AS name, count(*) AS count
        FROM ${events} JOIN ${actors} ON ${actors.id} = ${events.actor}
        WHERE ${where} AND ${actors.actorId} <> '' GROUP BY ${actors.actorId} ORDER BY count DESC, actorId LIMIT 10`,
    ),
    db.all<{ type: string; status: string | null; count: number }>(
      sql`WITH g AS (SELECT ${events.type} AS t, ${events.status} AS s, count(*) AS n FROM ${events} WHERE ${and(where, isAuth)} GROUP BY 1, 2)
        SELECT ${named(sql`t`)} AS type, ${named(sql`s`)} AS status, n AS count FROM g ORDER BY n DESC`,
    ),
    db.all<{ bucket: number; total: number; failed: number }>(
      sql`SELECT ${bucket} AS bucket, count(*) AS total, sum(CASE WHEN ${failed} THEN 1 ELSE 0 END) AS failed
        FROM ${events} WHERE ${and(where, isApi)} GROUP BY 1`,
    ),
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
