import { type SQL, sql } from "drizzle-orm";
import { eventFacets, eventMetadata, events, FACETS, terms } from "../../db/shard/schema";
import type { Access } from "../../lib/permissions";
import type { ProjectContext } from "../context";
import { type EventQuery, typeWithinLimits } from "./filters";
import { whereClause } from "./query";

/** The facets the explorer lists in its selects; ids (actors, organisations) are suggested as one types (suggest.ts). */
export type PickerFacets = Record<"type" | "source" | "changed" | "category" | "actor_type" | "entity_type", string[]>;
export type SuggestedFacet = "actor_id" | "organization_id";

// Per facet, so a project with many actors or changed fields cannot crowd the types out of the
// pickers (one shared limit, ordered by facet, filled up with actor ids first).
const PICKER_LIMIT = 1000;

const PICKED = {
  type: FACETS.type,
  source: FACETS.source,
  changed: FACETS.changed,
  category: FACETS.category,
  actor_type: FACETS.actor_type,
  entity_type: FACETS.entity_type,
};

/**
 * Whose values: the project's (organisation 0), or one organisation's, which event_facets keeps
 * too, so a partner viewer's pickers hold their organisation's values and nothing else.
 */
function scopeOf(access: Access | null): SQL {
  if (!access?.organizationId) return sql`0`;
  return sql`coalesce((SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(FACETS.organization))} AND ${terms.value} = ${access.organizationId}), -1)`;
}

/** The distinct values seen in the project, or a partner viewer's organisation, for the explorer's selects. */
export async function loadFacets(ctx: ProjectContext, access: Access): Promise<PickerFacets> {
  const { read, pn } = ctx.events;
  const f = eventFacets;
  const rows = await read<{ facet: number; value: string }>(sql`
    SELECT ${f.facet} AS facet, ${terms.value} AS value FROM ${f} JOIN ${terms} ON ${terms.id} = ${f.value}
    WHERE ${f.pn} = ${pn} AND ${f.organization} = ${scopeOf(access)} AND ${f.facet} IN (${sql.raw(Object.values(PICKED).join(", "))})
    ORDER BY 1, 2`);
  const facets: PickerFacets = { type: [], source: [], changed: [], category: [], actor_type: [], entity_type: [] };
  const byFacet = new Map<number, string[]>(
    Object.entries(PICKED).map(([name, id]) => [id, facets[name as keyof PickerFacets]]),
  );
  for (const { facet, value } of rows) {
    const list = byFacet.get(facet);
    if (list && list.length < PICKER_LIMIT) list.push(value);
  }
  facets.type = facets.type.filter((t) => typeWithinLimits(t, access.limits));
  return facets;
}

/** Most values a metadata picker offers, and most of a value's newest rows checked against the scope. */
const FIELD_VALUES = 50;
const FIELD_PROBE_ROWS = 1_000;

/**
 * The values a metadata field holds in the project (a view's picker, README "Payments and
 * e-mails"): its distinct values from event_metadata, one seek each (a skip over the key's range
 * of the primary key), each kept only when one of its newest FIELD_PROBE_ROWS events lies in
 * `scope` (the view's category and the member's access: a partner viewer sees only values of
 * their organisation's events). At most FIELD_VALUES, in order.
 */
export async function loadFieldValues(ctx: ProjectContext, key: string, scope: EventQuery): Promise<string[]> {
  const rows = await ctx.events.read<{ value: string }>(fieldValuesQuery(ctx.events.pn, key, scope));
  return rows.map((r) => r.value);
}

/** The statement of loadFieldValues. */
export function fieldValuesQuery(pn: number, key: string, scope: EventQuery): SQL {
  const m = eventMetadata;
  const keyId = sql`(SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(FACETS.metadata))} AND ${terms.value} = ${key})`;
  const first = sql`SELECT ${m.value} FROM ${m} WHERE ${m.pn} = ${pn} AND ${m.key} = ${keyId} ORDER BY ${m.value} LIMIT 1`;
  const next = sql`SELECT ${m.value} FROM ${m} WHERE ${m.pn} = ${pn} AND ${m.key} = ${keyId} AND ${m.value} > found.v ORDER BY ${m.value} LIMIT 1`;
  const newest = sql`SELECT ${m.seq} AS seq FROM ${m} WHERE ${m.pn} = ${pn} AND ${m.key} = ${keyId} AND ${m.value} = found.v ORDER BY ${m.occurredAt} DESC LIMIT ${sql.raw(String(FIELD_PROBE_ROWS))}`;
  // CROSS JOIN keeps the value's rows outside: else SQLite may walk the scope's index (all of an
  // organisation's events) for every value.
  const inScope = sql`EXISTS (SELECT 1 FROM (${newest}) AS recent CROSS JOIN ${events} ON ${events.seq} = recent.seq WHERE ${whereClause(pn, scope)})`;
  return sql`
    WITH RECURSIVE found(v) AS (SELECT (${first}) UNION ALL SELECT (${next}) FROM found WHERE found.v IS NOT NULL LIMIT ${sql.raw(String(FIELD_VALUES * 4))})
    SELECT v AS value FROM found WHERE v IS NOT NULL AND ${inScope} LIMIT ${sql.raw(String(FIELD_VALUES))}`;
}

/** The lifecycle actions first, in their order, then the others alphabetically. */
const LIFECYCLE = ["created", "updated", "deleted", "login", "logout"];

/**
 * The actions of the project's types (the text after the last dot, README "Filters"), for the
 * action picker: one entry for `commission.created` and `promoter.created`.
 */
export function actionsOf(types: string[]): string[] {
  const actions = new Set(types.map((t) => t.slice(t.lastIndexOf(".") + 1)));
  const rank = (a: string) => {
    const i = LIFECYCLE.indexOf(a);
    return i < 0 ? LIFECYCLE.length : i;
  };
  return [...actions].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
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
