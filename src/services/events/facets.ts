import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { eventFacets } from "../../db/schema";

export type Facets = Record<"type" | "source" | "changed" | "organization_id" | "actor_id" | "category", string[]>;

const LIMIT = 3000;

/** The distinct values seen in a project, for the explorer's pickers (kept by insert triggers). */
export async function loadFacets(db: Db, projectId: string): Promise<Facets> {
  const rows = await db
    .select({ facet: eventFacets.facet, value: eventFacets.value })
    .from(eventFacets)
    .where(and(eq(eventFacets.projectId, projectId)))
    .orderBy(asc(eventFacets.facet), asc(eventFacets.value))
    .limit(LIMIT);
  const facets: Facets = { type: [], source: [], changed: [], organization_id: [], actor_id: [], category: [] };
  for (const row of rows) facets[row.facet].push(row.value);
  return facets;
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
