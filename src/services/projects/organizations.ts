import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { type OrganizationNameSource, organizations, organizationWords } from "../../db/schema";
import { wordRange, wordsOf } from "../../lib/words";
import type { MemberContext, ProjectContext } from "../context";
import { logChange } from "../ingest/own-events";
import type { PreparedEvent } from "../ingest/prepare";

// Organisation display names (README "Filters", organisations by name). Events carry only
// `organization_id`; a project names its organisations in Settings, one per line, and an event
// may carry `metadata.organization_name`, learned after the event is stored. A name from Settings
// is never replaced by one from an event. Each name's folded words sit in organization_words, so
// typing the start of any word is a range of its primary key.

const ORGANIZATION_ID = /^\S{1,200}$/;
const NAME_MAX = 200;
/** Control characters, and UTF-16 surrogates without their pair (no UTF-8 form). */
const UNFIT = /[\p{Cc}\p{Cs}]/u;
const MAX_NAMES = 1000;
/** The metadata key an event names its organisation by. */
export const ORGANIZATION_NAME_KEY = "organization_name";

/** One name per line: the organisation id, a space, the name (`org_9 Initech LLC`); blank lines ignored. */
export const OrganizationNamesInput = z.object({
  names: z
    .string()
    .max(200_000, "at most 200,000 characters")
    .transform((text, ctx) => {
      const names = new Map<string, string>();
      text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (!line) return;
        const space = line.search(/\s/);
        const id = space < 0 ? line : line.slice(0, space);
        const name = space < 0 ? "" : line.slice(space + 1).trim();
        const problem = !ORGANIZATION_ID.test(id)
          ? "the organisation id is longer than 200 characters"
          : !name
            ? "write the organisation id, a space, then its name"
            : name.length > NAME_MAX
              ? `the name is longer than ${NAME_MAX} characters`
              : UNFIT.test(name)
                ? "the name holds a control character"
                : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: `line ${i + 1}: ${problem}` });
        else names.set(id, name);
      });
      if (names.size > MAX_NAMES) ctx.addIssue({ code: "custom", message: `at most ${MAX_NAMES} names` });
      return names;
    }),
});
export type OrganizationNamesInput = z.output<typeof OrganizationNamesInput>;

type Ctx = Pick<ProjectContext, "db" | "d1" | "project">;

/** The names typed in Settings, as the form shows them. */
export async function organizationNamesText(ctx: Ctx): Promise<string> {
  const rows = await ctx.db
    .select({ id: organizations.organizationId, name: organizations.name })
    .from(organizations)
    .where(and(eq(organizations.projectId, ctx.project.id), eq(organizations.source, "settings")))
    .orderBy(organizations.organizationId);
  return rows.map((r) => `${r.id} ${r.name}`).join("\n");
}

type NameRow = { id: string; name: string; source: OrganizationNameSource };

/**
 * Writes names and their words in one batch. `before` holds the stored rows of these ids, whose
 * old words go; `removed` are ids whose name goes altogether.
 */
async function writeNames(ctx: Ctx, rows: NameRow[], before: Map<string, string>, removed: string[] = []) {
  const projectId = ctx.project.id;
  const now = Date.now();
  const oldWords = [...before].flatMap(([id, name]) => wordsOf(name).map((w) => [w, id]));
  const newWords = rows.flatMap((r) => wordsOf(r.name).map((w) => [w, r.id]));
  // Each statement reads its rows from one JSON array parameter, cut so no parameter grows too large.
  const each = (query: string, items: unknown[], size: number, ...more: unknown[]) => {
    const out: D1PreparedStatement[] = [];
    for (let i = 0; i < items.length; i += size)
      out.push(ctx.d1.prepare(query).bind(projectId, JSON.stringify(items.slice(i, i + size)), ...more));
    return out;
  };
  const statements = [
    ...each(
      "DELETE FROM organization_words WHERE project_id = ?1 AND (word, organization_id) IN (SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?2) AS j)",
      oldWords,
      2000,
    ),
    ...each(
      "DELETE FROM organizations WHERE project_id = ?1 AND organization_id IN (SELECT value FROM json_each(?2))",
      removed,
      2000,
    ),
    ...each(
      `INSERT INTO organizations (project_id, organization_id, name, source, updated_at)
       SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, ?3 FROM json_each(?2) AS j WHERE true
       ON CONFLICT (project_id, organization_id) DO UPDATE SET name = excluded.name, source = excluded.source, updated_at = excluded.updated_at`,
      rows.map((r) => [r.id, r.name, r.source]),
      1000,
      now,
    ),
    ...each(
      "INSERT OR IGNORE INTO organization_words (project_id, word, organization_id) SELECT ?1, j.value ->> 0, j.value ->> 1 FROM json_each(?2) AS j",
      newWords,
      2000,
    ),
  ];
  if (statements.length) await ctx.d1.batch(statements);
}

/** Stored names of some ids (at most a few thousand, read 500 at a time). */
async function storedNames(ctx: Ctx, ids: string[]): Promise<Map<string, { name: string; source: string }>> {
  const out = new Map<string, { name: string; source: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await ctx.d1
      .prepare(
        "SELECT organization_id AS id, name, source FROM organizations WHERE project_id = ?1 AND organization_id IN (SELECT value FROM json_each(?2))",
      )
      .bind(ctx.project.id, JSON.stringify(ids.slice(i, i + 500)))
      .all<{ id: string; name: string; source: string }>();
    for (const r of rows.results) out.set(r.id, { name: r.name, source: r.source });
  }
  return out;
}

/**
 * Saves the names typed in Settings: they replace the earlier Settings names (a line taken away
 * takes its name away) and any learned from events for the same ids; a `settings.updated` event
 * records what changed.
 */
export async function updateOrganizationNames(ctx: MemberContext, input: OrganizationNamesInput): Promise<void> {
  const previous = await ctx.db
    .select({ id: organizations.organizationId, name: organizations.name })
    .from(organizations)
    .where(and(eq(organizations.projectId, ctx.project.id), eq(organizations.source, "settings")));
  const was = new Map(previous.map((r) => [r.id, r.name]));
  const now = input.names;
  const removed = [...was.keys()].filter((id) => !now.has(id));
  const changed = [...now].filter(([id, name]) => was.get(id) !== name);
  if (removed.length === 0 && changed.length === 0) return;
  const before = await storedNames(
    ctx,
    changed.map(([id]) => id),
  );
  await writeNames(
    ctx,
    changed.map(([id, name]) => ({ id, name, source: "settings" })),
    new Map([
      ...[...before].map(([id, r]): [string, string] => [id, r.name]),
      ...removed.map((id): [string, string] => [id, was.get(id) ?? ""]),
    ]),
    removed,
  );
  const diff: Record<string, [string | null, string | null]> = {};
  for (const id of removed) diff[id] = [was.get(id) ?? null, null];
  for (const [id, name] of changed) diff[id] = [was.get(id) ?? null, name];
  await logChange(ctx, {
    type: "settings.updated",
    summary: "Project settings changed: organisation names",
    entity: { type: "project", id: ctx.project.id, name: ctx.project.name },
    changes: { organization_names: [was.size, now.size] },
    metadata: { organizations: Object.keys(diff).slice(0, 50) },
  });
}

/**
 * After a batch is stored: names its events carry in `metadata.organization_name` become the
 * organisations' display names, unless Settings names them. Most batches carry none and cost a
 * string search per event.
 */
export async function learnOrganizationNames(ctx: ProjectContext, stored: PreparedEvent[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const e of stored) {
    if (!e.organizationId || !e.data.includes(`"${ORGANIZATION_NAME_KEY}"`)) continue;
    const data = JSON.parse(e.data) as { metadata?: Record<string, unknown> };
    const name = data.metadata?.[ORGANIZATION_NAME_KEY];
    if (typeof name !== "string") continue;
    const trimmed = name.trim().slice(0, NAME_MAX);
    if (trimmed && ORGANIZATION_ID.test(e.organizationId)) seen.set(e.organizationId, trimmed);
  }
  if (seen.size === 0) return;
  const stored_ = await storedNames(ctx, [...seen.keys()]);
  const rows = [...seen]
    .filter(([id, name]) => {
      const was = stored_.get(id);
      return !was || (was.source === "events" && was.name !== name);
    })
    .map(([id, name]): NameRow => ({ id, name, source: "events" }));
  if (rows.length === 0) return;
  const before = new Map(rows.flatMap((r) => (stored_.has(r.id) ? [[r.id, stored_.get(r.id)?.name ?? ""]] : [])));
  await writeNames(ctx, rows, before as Map<string, string>);
}

/** Display names of some organisation ids (those without one are absent). */
export async function organizationNames(ctx: Ctx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter(Boolean);
  if (unique.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: organizations.organizationId, name: organizations.name })
    .from(organizations)
    .where(
      and(eq(organizations.projectId, ctx.project.id), inArray(organizations.organizationId, unique.slice(0, 90))),
    );
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The statement finding a project's organisations by a word of their name (exported for the query-plan test). */
export function organizationNameQuery(ctx: Ctx, range: { from: string; to: string }, limit: number) {
  return ctx.db
    .selectDistinct({ id: organizations.organizationId, name: organizations.name })
    .from(organizationWords)
    .innerJoin(
      organizations,
      and(
        eq(organizations.projectId, organizationWords.projectId),
        eq(organizations.organizationId, organizationWords.organizationId),
      ),
    )
    .where(
      and(
        eq(organizationWords.projectId, ctx.project.id),
        sql`${organizationWords.word} >= ${range.from}`,
        sql`${organizationWords.word} < ${range.to}`,
      ),
    )
    .orderBy(organizations.name)
    .limit(limit);
}

/** Organisations any word of whose name starts with what was typed (folded), by name; at most `limit`. */
export async function organizationsNamed(ctx: Ctx, typed: string, limit = 20): Promise<{ id: string; name: string }[]> {
  const range = wordRange(typed);
  if (!range) return [];
  return organizationNameQuery(ctx, range, limit);
}
