import { type SQL, sql } from "drizzle-orm";
import { actors, actorWords, eventFacets, events, FACETS, terms } from "../../db/shard/schema";
import type { Access } from "../../lib/permissions";
import { wordRange } from "../../lib/words";
import type { ProjectContext } from "../context";
import { scopeForAccess } from "./filters";
import { whereClause } from "./query";

// Suggestions for the explorer's actor and organisation boxes (README "The dashboard", people and
// organisations by name). Every read is a range of a primary key or index: actor_words (pn, word,
// actor) for the words of names and e-mails, actors_identity for id prefixes, terms for
// organisation ids; each candidate is then checked against the project's (or the viewer's
// organisation's) event_facets with one primary-key probe, so another project's actors, or another
// organisation's, never come back.

export const SUGGESTION_LIMIT = 20;

export type ActorSuggestion = { id: string; name: string; email: string };

/**
 * Whose actors a viewer may be offered: the project's (organisation 0 of event_facets), or a
 * partner or embedded viewer's own organisation's, which ingest keeps apart (-1 when it has none).
 */
function facetOwner(access: Access): SQL {
  if (!access.organizationId) return sql`0`;
  return sql`coalesce((SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(FACETS.organization))} AND ${terms.value} = ${access.organizationId}), -1)`;
}

/** Typed text as a suggestion box sends it: trimmed, at most 200 characters. */
export function typedText(text: string | undefined): string {
  return (text ?? "").trim().slice(0, 200);
}

/**
 * Of some actors (dictionary ids), those with an event the viewer may see: for a viewer whose
 * events are narrowed beyond an organisation (an embedded viewer's types and dates, views hidden
 * from a role), one probe of the actor's index per candidate.
 */
async function visibleTo(ctx: ProjectContext, access: Access, keys: number[]): Promise<Set<number>> {
  const narrowed = Boolean(access.limits?.types?.length || access.limits?.from || access.hiddenCategories?.length);
  if (!narrowed || keys.length === 0) return new Set(keys);
  const { db, pn } = ctx.events;
  const where = whereClause(pn, scopeForAccess({ conditions: [], text: [] }, access));
  const rows = await db.all<{ key: number }>(sql`
    SELECT j.value AS key FROM json_each(${JSON.stringify(keys)}) AS j
    WHERE EXISTS (SELECT 1 FROM ${events} WHERE ${events.actor} = j.value AND ${where})`);
  return new Set(rows.map((r) => r.key));
}

type Candidate = ActorSuggestion & { key: number };

/**
 * The statements that find suggested actors for what was typed: by id prefix (or, with nothing
 * typed, the first of the project's own) and by word prefix; exported for the query-plan test.
 */
export function actorSuggestionQueries(pn: number, access: Access, typed: string): SQL[] {
  const owner = facetOwner(access);
  const seen = (actor: SQL) =>
    sql`EXISTS (SELECT 1 FROM ${eventFacets} WHERE ${eventFacets.pn} = ${pn} AND ${eventFacets.organization} = ${owner} AND ${eventFacets.facet} = ${sql.raw(String(FACETS.actor))} AND ${eventFacets.value} = ${actor})`;
  const columns = sql`${actors.id} AS key, ${actors.actorId} AS id, ${actors.name} AS name, ${actors.email} AS email`;
  const limit = sql.raw(String(SUGGESTION_LIMIT * 3));
  // Nothing typed yet: the first of the project's (or organisation's) own actors.
  if (typed === "")
    return [
      sql`SELECT ${columns} FROM ${eventFacets} JOIN ${actors} ON ${actors.id} = ${eventFacets.value}
        WHERE ${eventFacets.pn} = ${pn} AND ${eventFacets.organization} = ${owner} AND ${eventFacets.facet} = ${sql.raw(String(FACETS.actor))}
          AND ${actors.actorId} <> '' LIMIT ${limit}`,
    ];
  const queries = [
    sql`SELECT ${columns} FROM ${actors}
      WHERE ${actors.actorId} >= ${typed} AND ${actors.actorId} < ${`${typed}\u{10FFFF}`} AND ${seen(sql`${actors.id}`)}
      ORDER BY ${actors.actorId} LIMIT ${limit}`,
  ];
  const range = wordRange(typed);
  if (range)
    queries.push(sql`SELECT ${columns} FROM ${actorWords} JOIN ${actors} ON ${actors.id} = ${actorWords.actor}
      WHERE ${actorWords.pn} = ${pn} AND ${actorWords.word} >= ${range.from} AND ${actorWords.word} < ${range.to}
        AND ${actors.actorId} <> '' AND ${seen(sql`${actorWords.actor}`)}
      ORDER BY ${actorWords.word} LIMIT ${limit}`);
  return queries;
}

/**
 * Actors whose id starts with what was typed (as written), or any word of whose name or e-mail
 * does (folded), among those the viewer may see; one per id, id matches first, then by word.
 * Actors named without an id are left out: the actor filter takes an id.
 */
export async function suggestActors(ctx: ProjectContext, access: Access, typed: string): Promise<ActorSuggestion[]> {
  const { db, pn } = ctx.events;
  const found = await Promise.all(actorSuggestionQueries(pn, access, typed).map((q) => db.all<Candidate>(q)));
  const candidates = found.flat();
  const visible = await visibleTo(
    ctx,
    access,
    candidates.map((c) => c.key),
  );
  const out = new Map<string, ActorSuggestion>();
  for (const row of candidates) {
    if (!row.id || out.has(row.id) || !visible.has(row.key)) continue;
    out.set(row.id, { id: row.id, name: row.name, email: row.email });
    if (out.size >= SUGGESTION_LIMIT) break;
  }
  return [...out.values()];
}

/** The statement finding the project's organisation ids that start with what was typed (for the query-plan test). */
export function organizationIdQuery(pn: number, typed: string): SQL {
  return sql`
    SELECT ${terms.value} AS value FROM ${terms}
    WHERE ${terms.facet} = ${sql.raw(String(FACETS.organization))} AND ${terms.value} >= ${typed} AND ${terms.value} < ${`${typed}\u{10FFFF}`}
      AND EXISTS (SELECT 1 FROM ${eventFacets} WHERE ${eventFacets.pn} = ${pn} AND ${eventFacets.organization} = 0 AND ${eventFacets.facet} = ${sql.raw(String(FACETS.organization))} AND ${eventFacets.value} = ${terms.id})
    ORDER BY 1 LIMIT ${sql.raw(String(SUGGESTION_LIMIT))}`;
}

/** Organisation ids of the project starting with what was typed, as written. */
export async function organizationIdsStartingWith(ctx: ProjectContext, typed: string): Promise<string[]> {
  const rows = await ctx.events.db.all<{ value: string }>(organizationIdQuery(ctx.events.pn, typed));
  return rows.map((r) => r.value);
}

/**
 * How the page names an actor id: the name and address of the actor with that id the viewer may
 * see (the most recently stored identity when an id was sent with several names), or nothing, so a
 * partner viewer's URL naming another organisation's actor learns no name.
 */
export async function actorLabel(
  ctx: ProjectContext,
  access: Access,
  actorId: string,
): Promise<ActorSuggestion | undefined> {
  const { db, pn } = ctx.events;
  const rows = await db.all<Candidate>(sql`
    SELECT ${actors.id} AS key, ${actors.actorId} AS id, ${actors.name} AS name, ${actors.email} AS email FROM ${actors}
    WHERE ${actors.actorId} = ${actorId}
      AND EXISTS (SELECT 1 FROM ${eventFacets} WHERE ${eventFacets.pn} = ${pn} AND ${eventFacets.organization} = ${facetOwner(access)} AND ${eventFacets.facet} = ${sql.raw(String(FACETS.actor))} AND ${eventFacets.value} = ${actors.id})
    ORDER BY ${actors.id} DESC LIMIT 5`);
  const visible = await visibleTo(
    ctx,
    access,
    rows.map((r) => r.key),
  );
  const row = rows.find((r) => visible.has(r.key));
  return row && { id: row.id, name: row.name, email: row.email };
}

/** Whether the project has events of this organisation id (its picker values say so). */
export async function isOrganizationOf(ctx: ProjectContext, organizationId: string): Promise<boolean> {
  const { db, pn } = ctx.events;
  const rows = await db.all<{ one: number }>(sql`
    SELECT 1 AS one FROM ${terms} JOIN ${eventFacets} ON ${eventFacets.pn} = ${pn} AND ${eventFacets.organization} = 0
      AND ${eventFacets.facet} = ${sql.raw(String(FACETS.organization))} AND ${eventFacets.value} = ${terms.id}
    WHERE ${terms.facet} = ${sql.raw(String(FACETS.organization))} AND ${terms.value} = ${organizationId}`);
  return rows.length > 0;
}
