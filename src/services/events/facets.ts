import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { EVENT_INDEXES, type EventFacet, eventChanges, eventFacets, events } from "../../db/schema";
import type { Access } from "../../lib/permissions";
import type { ProjectContext } from "../context";

export type Facet = EventFacet;
/** The facets the explorer lists in its selects; ids (actors, organisations) are suggested as one types. */
export type PickerFacets = Record<"type" | "source" | "changed" | "category", string[]>;
export type SuggestedFacet = "actor_id" | "organization_id";

// Per facet, so a project with many actors or changed fields cannot crowd the types out of the
// pickers (one shared limit, ordered by facet, filled up with actor ids first).
const PICKER_LIMIT = 1000;
const SUGGESTION_LIMIT = 50;

/** A facet's values in order, those starting with `prefix` when given: a range of the primary key. */
function values(db: Db, projectId: string, facet: Facet, limit: number, prefix = "") {
  return db
    .select({ value: eventFacets.value })
    .from(eventFacets)
    .where(
      and(
        eq(eventFacets.projectId, projectId),
        eq(eventFacets.facet, facet),
        // U+10FFFF sorts after every character in SQLite's binary (UTF-8) order.
        prefix ? and(gte(eventFacets.value, prefix), lt(eventFacets.value, `${prefix}\u{10FFFF}`)) : undefined,
      ),
    )
    .orderBy(asc(eventFacets.value))
    .limit(limit);
}

/**
 * How many of a partner viewer's newest events their pickers are drawn from. event_facets is
 * project-wide, and no index gives an organisation's distinct types, sources or changed fields, so
 * the values are those of the organisation's newest events: a bounded read through the
 * organisation index (a few milliseconds), and never a value of another organisation.
 */
export const PARTNER_FACET_ROWS = 2000;

/** The values of one organisation's newest events that a viewer may see (no configuration activity). */
async function organizationFacets(ctx: ProjectContext, organizationId: string): Promise<PickerFacets> {
  const projectId = ctx.project.id;
  const e = events;
  const c = eventChanges;
  const rows = await ctx.db.all<{ facet: keyof PickerFacets; value: string }>(sql`
    WITH recent AS (
      SELECT ${e.seq} AS seq, ${e.type} AS type, ${e.source} AS source, ${e.category} AS category
      FROM ${e} INDEXED BY ${sql.identifier(EVENT_INDEXES.organization)}
      WHERE ${e.projectId} = ${projectId} AND ${e.organizationId} = ${organizationId}
      ORDER BY ${e.occurredAt} DESC, ${e.id} DESC LIMIT ${PARTNER_FACET_ROWS}
    ), shown AS (SELECT * FROM recent WHERE category != 'configuration')
    SELECT 'type' AS facet, type AS value FROM shown
    UNION SELECT 'source', source FROM shown WHERE source IS NOT NULL
    UNION SELECT 'category', category FROM shown
    UNION SELECT 'changed', ${c.field} FROM shown JOIN ${c} ON ${c.eventSeq} = shown.seq AND ${c.projectId} = ${projectId}
    ORDER BY 1, 2`);
  const facets: PickerFacets = { type: [], source: [], changed: [], category: [] };
  for (const { facet, value } of rows) facets[facet].push(value);
  return facets;
}

/**
 * The distinct values seen in a project, for the explorer's selects (kept by insert triggers); for a
 * partner viewer, only values of their own organisation's events.
 */
export async function loadFacets(ctx: ProjectContext, access: Access): Promise<PickerFacets> {
  if (access.organizationId) return organizationFacets(ctx, access.organizationId);
  const { db } = ctx;
  const projectId = ctx.project.id;
  const [type, source, changed, category] = await db.batch([
    values(db, projectId, "type", PICKER_LIMIT),
    values(db, projectId, "source", PICKER_LIMIT),
    values(db, projectId, "changed", PICKER_LIMIT),
    values(db, projectId, "category", PICKER_LIMIT),
  ]);
  const list = (rows: { value: string }[]) => rows.map((r) => r.value);
  return { type: list(type), source: list(source), changed: list(changed), category: list(category) };
}

/**
 * Values of an id facet starting with what was typed, for a search box's suggestions. A range of
 * the facets' primary key, so it stays a few rows read however many actors a project has.
 */
export async function suggestFacet(ctx: ProjectContext, facet: SuggestedFacet, prefix: string): Promise<string[]> {
  return (await values(ctx.db, ctx.project.id, facet, SUGGESTION_LIMIT, prefix)).map((r) => r.value);
}

/** `commission.updated` and `commission.created` under `commission`; types without a dot under their own name. */
export function groupByEntity(values: string[]): { group: string; values: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const value of values) {
    const dot = value.lastIndexOf(".");
    const group = dot > 0 ? value.slice(0, dot) : value;
    groups.set(group, [...(groups.get(group) ?? []), value]);
  }
  return [...groups].map(([group, list]) => ({ group, values: list }));
}
