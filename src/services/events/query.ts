import { and, eq, gte, isNull, lt, not, or, type SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  actors,
  COUNT_DAY_MS as DAY,
  EVENT_INDEXES,
  eventChanges,
  eventCounts,
  eventMetadata,
  events,
  FACETS,
  FULL_TEXT,
  shardProjects,
  terms,
} from "../../db/shard/schema";
import { CursorError, ValidationError } from "../../lib/errors";
import { base64url } from "../../lib/ids";
import { toIso } from "../../lib/time";
import type { ProjectContext } from "../context";
import type { Condition, EqualityFilter, EventQuery, TextTerm } from "./filters";
import { actorsMatching } from "./people";
import type { StoredEvent } from "./schema";

// Every statement here runs on the project's event shard (ctx.events) and is bounded by its number
// there (`pn`). Filter values that events store as terms (README "Storage at scale") are looked up
// in the shard's dictionary inside the same statement: `status = (SELECT id FROM terms …)` is one
// seek, and the index on (pn, status, occurred_at) then serves the filter in time order.

/** Filters stored as a term: their column, and the facet of their dictionary entries. */
const TERM_COLUMNS: Partial<Record<EqualityFilter, [SQLiteColumn, number]>> = {
  category: [events.category, FACETS.category],
  status: [events.status, FACETS.status],
  source: [events.source, FACETS.source],
  actor_type: [events.actorType, FACETS.actor_type],
  entity_type: [events.entityType, FACETS.entity_type],
  organization_id: [events.organization, FACETS.organization],
};

/** Filters on the high-cardinality values read from `data` (virtual columns with their own index). */
const TEXT_COLUMNS: Partial<Record<EqualityFilter, SQLiteColumn>> = {
  entity_id: events.entityId,
  request_id: events.requestId,
  job_id: events.jobId,
  ip: events.requestIp,
};

const list = (values: string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** The dictionary ids of `values` of a facet, as a subquery. */
function termIds(facet: number, values: string[]): SQL {
  return sql`SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(facet))} AND ${terms.value} IN (${list(values)})`;
}

/** `column` holds one of `values` of its facet: a seek in order for one value, a set for several. */
function termMatch(column: SQLiteColumn | SQL, facet: number, values: string[]): SQL {
  const [first] = values;
  if (values.length === 1 && first !== undefined) return sql`${column} = (${termIds(facet, [first])})`;
  return sql`${column} IN (${termIds(facet, values)})`;
}

function textMatch(column: SQLiteColumn, values: string[]): SQL {
  const [first] = values;
  if (values.length === 1 && first !== undefined) return eq(column, first);
  return sql`${column} IN (${list(values)})`;
}

/**
 * A negated filter also keeps events where the field is absent: `-source:api` keeps no-source
 * events. A value the shard's dictionary lacks makes `column = (SELECT …)` NULL, not false, so the
 * match counts as false before it is negated: `-category:configuration` keeps every event of a
 * shard where no event was ever of that category.
 */
function negate(condition: SQL, column: SQLiteColumn): SQL {
  return or(isNull(column), not(sql`coalesce(${condition}, 0)`)) as SQL;
}

/** The first string after every one starting with `prefix`: `commission.` → `commission/`. */
function afterPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * The dictionary ids of the types whose action (the text after the last dot, or the whole type
 * without one) is one of `actions`, as a subquery: a range of the shard's types, the filter's own
 * index (events_type) then serving each. An action holds no dot (filters.ts), so a type ending in
 * `.created` has the action `created`.
 */
function actionTypeIds(actions: string[]): SQL {
  const matches = actions.map(
    (a) => sql`${terms.value} = ${a} OR substr(${terms.value}, ${sql.raw(String(-(a.length + 1)))}) = ${`.${a}`}`,
  );
  return sql`SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(FACETS.type))} AND (${sql.join(matches, sql` OR `)})`;
}

/** Actors named by id, e-mail (case-insensitive) or name, as a subquery of their dictionary ids. */
function actorIds(by: { ids?: string[]; emails?: string[]; names?: string[] }): SQL {
  const parts: SQL[] = [];
  if (by.ids?.length) parts.push(sql`${actors.actorId} IN (${list(by.ids)})`);
  if (by.emails?.length) parts.push(sql`${actors.email} IN (${list(by.emails)})`);
  if (by.names?.length) parts.push(sql`${actors.name} IN (${list(by.names)})`);
  return sql`SELECT ${actors.id} FROM ${actors} WHERE ${or(...parts)}`;
}

/**
 * Whether the query names events by an id (entity, request or job id): a handful of rows, which
 * that id's index finds. Without statistics SQLite would rather take a dictionary column's index
 * (`status:failure job:jid_77` read every failure in time order to find the job's events), so the
 * other filters then compare their columns as plain values (`+status = …`), which no index serves.
 */
function namesAnId(query: EventQuery): boolean {
  return query.conditions.some(
    (c) =>
      !c.negated &&
      ((c.kind === "equals" && TEXT_COLUMNS[c.column] !== undefined) || (c.kind === "entity" && c.id !== undefined)),
  );
}

/** The column, or its value only (`+column`) when its index must not serve (namesAnId). */
function indexed(column: SQLiteColumn, useIndex: boolean): SQLiteColumn | SQL {
  return useIndex ? column : sql`+${column}`;
}

function equalsSql(c: Extract<Condition, { kind: "equals" }>, useIndex: boolean): SQL | undefined {
  if (c.values.length === 0) return undefined;
  if (c.column === "actor_id") {
    const match = sql`${indexed(events.actor, useIndex)} IN (${actorIds({ ids: c.values })})`;
    return c.negated ? negate(match, events.actor) : match;
  }
  const term = TERM_COLUMNS[c.column];
  if (term) {
    const [column, facet] = term;
    const match = termMatch(indexed(column, useIndex), facet, c.values);
    return c.negated ? negate(match, column) : match;
  }
  const column = TEXT_COLUMNS[c.column];
  if (!column) return undefined;
  const match = textMatch(column, c.values);
  return c.negated ? negate(match, column) : match;
}

/** Changed fields (`status`) and fields of an entity type (`commission.status`) as a condition on a change row `ch`. */
function changedFieldSql(fields: string[]): SQL {
  const plain = sql`${eventChanges.field} IN (${termIds(FACETS.changed, fields)})`;
  const qualified = fields.flatMap((f) => {
    const dot = f.indexOf(".");
    if (dot <= 0 || dot === f.length - 1) return [];
    return [
      sql`(${eventChanges.field} = (${termIds(FACETS.changed, [f.slice(dot + 1)])}) AND ${events.entityType} = (${termIds(FACETS.entity_type, [f.slice(0, dot)])}))`,
    ];
  });
  return qualified.length ? (or(plain, ...qualified) as SQL) : plain;
}

/**
 * A metadata field's values, from event_metadata (README "Filters"): its key is a term, looked up
 * in the same statement, and the value is compared as stored text, so keys and values are bound
 * parameters, never SQL. Shaped like the changed-field filter: a walk (and any negation) probes
 * each row it reads with one seek; otherwise the project's matches in the time window are a
 * primary-key range.
 */
function metadataSql(
  pn: number,
  query: EventQuery,
  c: Extract<Condition, { kind: "metadata" }>,
  walk: Walk | undefined,
): SQL | undefined {
  if (c.values.length === 0) return undefined;
  const m = eventMetadata;
  const key = sql`${m.key} = (${termIds(FACETS.metadata, [c.key])})`;
  const value = textMatch(m.value, c.values);
  // A negation keeps most rows, so it is checked row by row wherever the rows come from.
  if (walk || c.negated) {
    const probe = sql`SELECT 1 FROM ${m} WHERE ${m.pn} = ${events.pn} AND ${key} AND ${value} AND ${m.occurredAt} = ${events.occurredAt} AND ${m.seq} = ${events.seq}`;
    return c.negated ? sql`NOT EXISTS (${probe})` : sql`EXISTS (${probe})`;
  }
  const window = [
    query.from !== undefined ? sql` AND ${m.occurredAt} >= ${query.from}` : sql``,
    query.to !== undefined ? sql` AND ${m.occurredAt} < ${query.to}` : sql``,
  ];
  return sql`${events.seq} IN (SELECT ${m.seq} FROM ${m} WHERE ${m.pn} = ${pn} AND ${key} AND ${value}${window[0]}${window[1]})`;
}

function conditionSql(
  pn: number,
  query: EventQuery,
  c: Condition,
  walk: Walk | undefined,
  useIndex: boolean,
): SQL | undefined {
  switch (c.kind) {
    case "equals":
      return equalsSql(c, useIndex);
    case "type": {
      if (c.prefixes.includes("")) return c.negated ? sql`0` : undefined; // `type:*` matches everything
      const parts: SQL[] = [];
      if (c.exact.length) parts.push(termIds(FACETS.type, c.exact));
      for (const prefix of c.prefixes) {
        parts.push(
          sql`SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(FACETS.type))} AND ${terms.value} >= ${prefix} AND ${terms.value} < ${afterPrefix(prefix)}`,
        );
      }
      if (parts.length === 0) return undefined;
      const only = parts.length === 1 && c.exact.length === 1 ? c.exact[0] : undefined;
      const type = indexed(events.type, useIndex);
      const any =
        only !== undefined
          ? termMatch(type, FACETS.type, [only])
          : sql`${type} IN (${sql.join(parts, sql` UNION ALL `)})`;
      return c.negated ? not(sql`coalesce(${any}, 0)`) : any;
    }
    case "action": {
      if (c.values.length === 0) return undefined;
      const any = sql`${indexed(events.type, useIndex)} IN (${actionTypeIds(c.values)})`;
      return c.negated ? not(sql`coalesce(${any}, 0)`) : any;
    }
    case "actor": {
      if (c.values.length === 0) return undefined;
      const any = sql`${indexed(events.actor, useIndex)} IN (${actorsMatching(pn, c.values)})`;
      return c.negated ? negate(any, events.actor) : any;
    }
    case "entity": {
      const type = termMatch(indexed(events.entityType, useIndex && c.id === undefined), FACETS.entity_type, [c.type]);
      const match = c.id === undefined ? type : (and(type, eq(events.entityId, c.id)) as SQL);
      return c.negated ? not(sql`coalesce(${match}, 0)`) : match;
    }
    case "metadata":
      return metadataSql(pn, query, c, walk);
    case "changed": {
      if (c.fields.length === 0) return undefined;
      const ch = eventChanges;
      const fields = changedFieldSql(c.fields);
      if (walk) {
        // One primary-key probe per row read, instead of first collecting every change of the
        // field in the range (a sixth of all events for `status` in a busy project).
        const probe = sql`SELECT 1 FROM ${ch} WHERE ${ch.pn} = ${events.pn} AND ${fields} AND ${ch.occurredAt} = ${events.occurredAt} AND ${ch.seq} = ${events.seq}`;
        return c.negated ? sql`NOT EXISTS (${probe})` : sql`EXISTS (${probe})`;
      }
      // The time window is repeated inside so the subquery is a range of event_changes' primary key.
      const window = [
        query.from !== undefined ? sql` AND ${ch.occurredAt} >= ${query.from}` : sql``,
        query.to !== undefined ? sql` AND ${ch.occurredAt} < ${query.to}` : sql``,
      ];
      const plain = sql`${ch.field} IN (${termIds(FACETS.changed, c.fields)})`;
      const sub = sql`SELECT ${ch.seq} FROM ${ch} WHERE ${ch.pn} = ${pn} AND ${plain}${window[0]}${window[1]}`;
      // Entity-qualified fields (`commission.status`) check the event's entity type on each change.
      const qualified = c.fields.some((f) => f.indexOf(".") > 0);
      const set = qualified
        ? sql`EXISTS (SELECT 1 FROM ${ch} WHERE ${ch.pn} = ${events.pn} AND ${fields} AND ${ch.occurredAt} = ${events.occurredAt} AND ${ch.seq} = ${events.seq})`
        : sql`${events.seq} IN (${sub})`;
      return c.negated ? not(set) : set;
    }
  }
}

/** Most bare words of one search read as the terms they are a prefix of, and most terms one becomes. */
const MAX_EXPANDED_WORDS = 8;
const MAX_PREFIX_TERMS = 16;

/**
 * FTS5 query text for a bare word that is a single ASCII token (the tokenizer keeps it as itself,
 * lowercased): the index terms it is a prefix of, by name — `("approved")`, `("payout" OR
 * "payouts")` — which FTS5 intersects lazily with the other words, where the prefix itself would
 * first merge the whole doclist of every term it covers. The terms are read from events_fts_terms,
 * one seek each. A prefix covering no term, or more than MAX_PREFIX_TERMS (a short prefix of many
 * words, which the merge serves no worse), stays a prefix.
 */
export function prefixTerms(token: string): SQL {
  const end = afterPrefix(token);
  const most = sql.raw(String(MAX_PREFIX_TERMS));
  const oneMore = sql.raw(String(MAX_PREFIX_TERMS + 1));
  // The term after `t` is the first one from `t || char(0)` on: a seek, where `term > t` would
  // step through every occurrence of `t` first.
  const vocabulary = sql.identifier(FULL_TEXT.terms);
  const first = sql`SELECT term FROM ${vocabulary} WHERE term >= ${token} AND term < ${end} LIMIT 1`;
  const next = sql`SELECT term FROM ${vocabulary} WHERE term >= found.term || char(0) AND term < ${end} LIMIT 1`;
  const found = sql`WITH RECURSIVE found(term) AS (SELECT (${first}) UNION ALL SELECT (${next}) FROM found WHERE found.term IS NOT NULL LIMIT ${oneMore}) SELECT term FROM found WHERE term IS NOT NULL`;
  return sql`(SELECT CASE WHEN count(*) BETWEEN 1 AND ${most} THEN '(' || group_concat('"' || term || '"', ' OR ') || ')' ELSE ${`"${token}"*`} END FROM (${found}))`;
}

/** Pieces of FTS5 query text: literal text, or SQL that computes it (prefixTerms). */
type Piece = string | SQL;

/**
 * FTS5 query text from user terms. Every term is quoted (user input never reaches FTS5's own
 * syntax); bare words match as prefixes, quoted phrases exactly. Terms without a letter or digit
 * match nothing the tokenizer keeps, so they are dropped.
 */
function ftsTerms(textTerms: TextTerm[], expand: { left: number }): Piece[] {
  const out: Piece[] = [];
  for (const term of textTerms) {
    if (!/[\p{L}\p{N}]/u.test(term.text)) continue;
    const token = term.text.toLowerCase();
    if (!term.phrase && /^[a-z0-9]+$/.test(token) && expand.left > 0) {
      expand.left--;
      out.push(prefixTerms(token));
      continue;
    }
    const quoted = `"${term.text.replace(/"/g, '""')}"`;
    out.push(term.phrase ? quoted : `${quoted}*`);
  }
  return out;
}

/** Pieces as one SQL text expression; adjacent literals are bound as one parameter. */
function concat(pieces: Piece[]): SQL {
  const merged: Piece[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if (typeof piece === "string" && typeof last === "string") merged[merged.length - 1] = last + piece;
    else merged.push(piece);
  }
  return sql.join(
    merged.map((p) => (typeof p === "string" ? sql`${p}` : p)),
    sql` || `,
  );
}

function joined(pieces: Piece[], separator: string): Piece[] {
  return pieces.flatMap((p, i) => (i === 0 ? [p] : [separator, p]));
}

/**
 * Sizes of the time buckets in events_fts.bucket, finest first; the migration's insert trigger
 * writes `<letter><pn>x<bucket>` for each, so a bucket token names the project too.
 */
const BUCKETS = [
  ["h", 3_600_000],
  ["d", 86_400_000],
  ["m", 2_764_800_000],
  ["y", 88_473_600_000],
] as const;
const MAX_BUCKET_TOKENS = 24;

/**
 * FTS5 tokens of the project's buckets covering [oldest, newest]: the finest size needing at most
 * 24 of them. Times before 1970 share bucket 0, as in the trigger (SQLite's integer division
 * truncates; max(…, 0) keeps both sides equal). The largest size covers every time an event can
 * have (1970 to now is 21 of them), so a search never reaches another project's rows.
 */
export function bucketTokens(pn: number, oldest: number, newest: number): string[] {
  const lo = Math.max(oldest, 0);
  const hi = Math.max(newest, 0);
  for (const [letter, size] of BUCKETS) {
    const first = Math.trunc(lo / size);
    const last = Math.trunc(hi / size);
    if (last - first < MAX_BUCKET_TOKENS || letter === "y")
      return Array.from({ length: last - first + 1 }, (_, i) => `"${letter}${pn}x${first + i}"`);
  }
  return [];
}

/** Events may lie at most this far in the future (the schema refuses later ones). */
const FUTURE_SLACK_MS = 3_600_000;

/**
 * A search's words as FTS5 query text: the words that must match (AND) and those that must not
 * (OR), each literal text or SQL computing it (prefixTerms reads the vocabulary, a seek per term).
 */
export type Words = { positive?: Piece | undefined; negative?: Piece | undefined };

function wordsOf(textTerms: TextTerm[]): Words {
  const expand = { left: MAX_EXPANDED_WORDS };
  const positive = ftsTerms(
    textTerms.filter((t) => !t.negated),
    expand,
  );
  const negative = ftsTerms(
    textTerms.filter((t) => t.negated),
    expand,
  );
  const text = (pieces: Piece[]) => (pieces.length ? sql`(${concat(pieces)})` : undefined);
  return { positive: text(joined(positive, " AND ")), negative: text(joined(negative, " OR ")) };
}

/**
 * The words' FTS5 text as columns `positive` and `negative` of a one-row select (NULL when none),
 * so a list that runs several statements reads the vocabulary once (see listRows).
 */
function wordColumns(words: Words): SQL {
  const column = (piece: Piece | undefined) =>
    piece === undefined ? sql`NULL` : typeof piece === "string" ? sql`${piece}` : piece;
  return sql`, ${column(words.positive)} AS positive, ${column(words.negative)} AS negative`;
}

function textSql(pn: number, query: EventQuery, words: Words, walk: Walk | undefined): SQL[] {
  const { positive, negative } = words;
  if (positive === undefined && negative === undefined) return [];
  // FTS5 is asked only for the project's matches in the time span a read can reach: a walk's span,
  // else the query's range; it intersects the words' doclists with a few small ones.
  const [oldest, newest] = walk?.span ?? [query.from ?? 0, query.to ?? Date.now() + FUTURE_SLACK_MS];
  const within = ` AND bucket : (${bucketTokens(pn, oldest, newest).join(" OR ")})`;
  const fts = sql.identifier(FULL_TEXT.table);
  const match = (expr: Piece[]) =>
    sql`SELECT rowid FROM ${fts} WHERE ${fts} MATCH (${concat(["body : (", ...expr, `)${within}`])})`;
  if (positive !== undefined) {
    const expr = [positive, ...(negative !== undefined ? [" NOT (", negative, ")"] : [])];
    return [sql`${events.seq} IN (${match(expr)})`];
  }
  return [sql`${events.seq} NOT IN (${match([negative as Piece])})`];
}

/**
 * A read of the time index in order (see listRows): changed fields become per-row probes, and
 * full-text matches are limited to `span`, a time range [oldest, newest] holding every row the
 * read can reach.
 */
export type Walk = { span?: [number, number] | undefined };

/**
 * The filters as SQL over the shard's events of project `pn`; with `walk`, shaped for a read of the
 * time index in order. `words`: the search's words already read as FTS5 text (see listRows).
 */
export function whereClause(pn: number, query: EventQuery, walk?: Walk, words?: Words): SQL {
  const parts: (SQL | undefined)[] = [eq(events.pn, pn)];
  if (query.from !== undefined) parts.push(gte(events.occurredAt, query.from));
  if (query.to !== undefined) parts.push(lt(events.occurredAt, query.to));
  const useIndex = !namesAnId(query);
  for (const c of query.conditions) parts.push(conditionSql(pn, query, c, walk, useIndex));
  parts.push(...textSql(pn, query, words ?? wordsOf(query.text), walk));
  const where = and(...parts) as SQL;
  checkParameters(where);
  return where;
}

/**
 * D1 binds at most 100 parameters per statement; the statements around a filter add a keyset
 * position, a limit and a window size. A filter needing more (a long comma list, many actor: or
 * type-prefix clauses) is refused with a 422 instead of failing in D1.
 */
export const MAX_FILTER_PARAMETERS = 90;
const dialect = new SQLiteAsyncDialect();

function checkParameters(where: SQL): void {
  const used = dialect.sqlToQuery(where).params.length;
  if (used <= MAX_FILTER_PARAMETERS) return;
  const message = `need ${used} values in one query, more than the ${MAX_FILTER_PARAMETERS} it can take: use fewer values in comma lists or fewer clauses (an actor counts three times, a type prefix twice)`;
  throw new ValidationError(`The filters ${message}`, [{ path: "(query)", message: `the filters ${message}` }]);
}

/** Throws the ValidationError a query too large for one statement meets when it runs. */
export function checkQuerySize(query: EventQuery): void {
  whereClause(0, query);
}

// Cursors are opaque to clients: base64url of [occurred_at, id] of the last row of a page. They
// name no shard, so a page after a move continues where the last one stopped.
export function encodeCursor(occurredAt: number, id: string): string {
  return base64url(new TextEncoder().encode(JSON.stringify([occurredAt, id])));
}

export function decodeCursor(cursor: string): [number, string] {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return [value[0] as number, value[1]];
    }
  } catch {
    // fall through to the validation error
  }
  throw new CursorError();
}

/** A stored row as the API shows it: the event, when it was received, its hash (hex). */
export type ListRow = { id: string; occurredAt: number; data: string; receivedAt: number; hash: string };

export function toStoredEvent(row: Pick<ListRow, "data" | "receivedAt" | "hash">): StoredEvent {
  return { ...(JSON.parse(row.data) as StoredEvent), received_at: toIso(row.receivedAt), hash: row.hash };
}

/** The columns of a ListRow, in SQL: the hash as lowercase hex (it is stored as 32 bytes). */
export const LIST_COLUMNS = sql`${events.id} AS id, ${events.occurredAt} AS occurredAt, ${events.data} AS data, ${events.receivedAt} AS receivedAt, lower(hex(${events.hash})) AS hash`;

type Page = { limit: number; cursor?: string | undefined };
/** `window`: rows of the recent read (WINDOW_ROWS unless given; exports read more, 0 none). */
type WindowedPage = Page & { window?: number };

/**
 * How many of the newest rows in range a windowed list reads through the time index before it
 * leaves the rest to the filter's own index. Reading 10,000 index entries and rows costs a few
 * milliseconds; a filter matching fewer than 1 in 200 of them has few enough matches in all that
 * collecting and sorting them is as cheap.
 */
export const WINDOW_ROWS = 10_000;

/**
 * Conditions an index serves in newest-first order: one positive value of a column (its index
 * ends with occurred_at), or a negation, checked row by row. Lists, type prefixes, actors (their
 * dictionary may hold several entries for one id), changed fields and full text are sets: SQLite
 * collects every match and sorts it.
 */
function servedInOrder(c: Condition): boolean {
  switch (c.kind) {
    case "equals":
      return c.negated || (c.values.length === 1 && c.column !== "actor_id");
    case "type":
      return c.negated || (c.exact.length === 1 && c.prefixes.length === 0);
    case "actor":
    case "action":
      return c.negated;
    case "entity":
      return true;
    case "metadata":
      return c.negated;
    case "changed":
      return false;
  }
}

export function readsWindow(query: EventQuery): boolean {
  return query.text.length > 0 || !query.conditions.every(servedInOrder);
}

export function olderThan(cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const [t, id] = decodeCursor(cursor);
  return sql`(${events.occurredAt}, ${events.id}) < (${t}, ${id})`;
}

function newerThan([t, id]: [number, string]): SQL {
  return sql`(${events.occurredAt}, ${events.id}) > (${t}, ${id})`;
}

/** A project's events in [from, to), without filters. */
function timeRange(pn: number, from: number | undefined, to: number | undefined): SQL {
  return whereClause(pn, { from, to, conditions: [], text: [] });
}

/** The query's time window past a keyset bound, without its filters: the rows a walk can reach. */
function reachable(pn: number, query: EventQuery, bound: SQL | undefined): SQL {
  return and(timeRange(pn, query.from, query.to), bound) as SQL;
}

const BY_TIME = sql`${events} INDEXED BY ${sql.identifier(EVENT_INDEXES.time)}`;
const NEWEST_FIRST = sql`${events.occurredAt} DESC, ${events.id} DESC`;

/**
 * How many rows `range` holds (the newest `rows` of them when given), and their oldest and newest
 * time. Which of the rows sharing the oldest instant are among the newest `rows` changes neither
 * result, so they are taken in time order alone: the time index holds no id (it is read from
 * `data`), and ordering by it too would read and sort every row of the window.
 */
function spanQuery(range: SQL, rows: number | undefined, words: Words): SQL {
  const columns = wordColumns(words);
  if (rows === undefined)
    return sql`SELECT count(*) AS n, min(${events.occurredAt}) AS oldest, max(${events.occurredAt}) AS newest${columns} FROM ${BY_TIME} WHERE ${range}`;
  const newest = sql`SELECT ${events.occurredAt} AS at FROM ${BY_TIME} WHERE ${range} ORDER BY ${events.occurredAt} DESC LIMIT ${rows}`;
  return sql`SELECT count(*) AS n, min(at) AS oldest, max(at) AS newest${columns} FROM (${newest})`;
}

/** The list as the planner serves it: the filter's own index (every filter has one, README "Storage"). */
export function listQuery(pn: number, query: EventQuery, page: Page, words?: Words): SQL {
  const where = and(whereClause(pn, query, undefined, words), olderThan(page.cursor));
  return sql`SELECT ${LIST_COLUMNS} FROM ${events} WHERE ${where} ORDER BY ${NEWEST_FIRST} LIMIT ${page.limit + 1}`;
}

/**
 * The newest `rows` rows in range (the query's time window and the cursor), from the time index
 * alone, and the search's words read as FTS5 text for the statements after it.
 */
export function windowQuery(pn: number, query: EventQuery, cursor: string | undefined, rows: number): SQL {
  return spanQuery(reachable(pn, query, olderThan(cursor)), rows, wordsOf(query.text));
}

/** The list read newest first through the time index, checking the filters row by row; `bound` is a keyset position. */
export function walkQuery(
  pn: number,
  query: EventQuery,
  walk: Walk,
  bound: SQL | undefined,
  limit: number,
  words?: Words,
): SQL {
  const where = and(whereClause(pn, query, walk, words), bound);
  return sql`SELECT ${LIST_COLUMNS} FROM ${BY_TIME} WHERE ${where} ORDER BY ${NEWEST_FIRST} LIMIT ${limit}`;
}

type Window = { n: number; oldest: number | null; newest: number | null; words: Words };

async function readWindow(ctx: ProjectContext, sqlText: SQL): Promise<Window> {
  const [w] = await ctx.events.db.all<Omit<Window, "words"> & { positive: string | null; negative: string | null }>(
    sqlText,
  );
  if (!w) return { n: 0, oldest: null, newest: null, words: {} };
  return { ...w, words: { positive: w.positive ?? undefined, negative: w.negative ?? undefined } };
}

const spanOf = (w: Window): [number, number] | undefined =>
  w.oldest === null || w.newest === null ? undefined : [w.oldest, w.newest];

/**
 * One page of rows (limit + 1, to tell whether more follow). A filter served in order is one index
 * range. A set-like filter (readsWindow) over many events would make SQLite collect and sort all
 * its matches, hundreds of thousands for a common type prefix or word, to return 50; so the page
 * is first read from the newest WINDOW_ROWS rows in time order, which a common filter fills at
 * once, and only when that falls short does the filter's own index serve the older rest, which is
 * then small. Rows at the window's oldest instant belong to the rest, so none is read twice or
 * missed; the order is the same (occurred_at, id) either way.
 */
export async function listRows(ctx: ProjectContext, query: EventQuery, page: WindowedPage): Promise<ListRow[]> {
  const { db, pn, read } = ctx.events;
  const take = page.limit + 1;
  const size = page.window ?? WINDOW_ROWS;
  if (!readsWindow(query) || size <= 0) return read<ListRow>(listQuery(pn, query, page));
  // The window's statement also reads the search's words as FTS5 text (a few vocabulary seeks per
  // word), so the one or two statements after it do not read them again.
  const w = await readWindow(ctx, windowQuery(pn, query, page.cursor, size));
  const span = spanOf(w);
  if (!span) return [];
  const walk: Walk = { span };
  const bound = olderThan(page.cursor);
  if (w.n < size) return db.all<ListRow>(walkQuery(pn, query, walk, bound, take, w.words));
  const edge = span[0] + 1;
  const recent = await db.all<ListRow>(
    walkQuery(pn, { ...query, from: Math.max(query.from ?? edge, edge) }, walk, bound, take, w.words),
  );
  if (recent.length >= take) return recent;
  const older = await db.all<ListRow>(
    listQuery(
      pn,
      { ...query, to: Math.min(query.to ?? edge, edge) },
      { limit: take - recent.length - 1, cursor: page.cursor },
      w.words,
    ),
  );
  return [...recent, ...older];
}

export async function listEvents(
  ctx: ProjectContext,
  query: EventQuery,
  page: WindowedPage,
): Promise<{ data: StoredEvent[]; next_cursor: string | null }> {
  const rows = await listRows(ctx, query, page);
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(toStoredEvent),
    next_cursor: more && last ? encodeCursor(last.occurredAt, last.id) : null,
  };
}

/**
 * Events newer than a position (live mode), newest first. The range is what arrived since the
 * last poll, so it is read in time order; its time span keeps full text to the new rows.
 */
export async function listNewer(
  ctx: ProjectContext,
  query: EventQuery,
  after: string,
  limit: number,
): Promise<StoredEvent[]> {
  const { db, pn } = ctx.events;
  const bound = newerThan(decodeCursor(after));
  const w = query.text.length
    ? await readWindow(ctx, spanQuery(reachable(pn, query, bound), undefined, wordsOf(query.text)))
    : undefined;
  const walk: Walk = w ? { span: spanOf(w) } : {};
  const rows = await db.all<ListRow>(walkQuery(pn, query, walk, bound, limit, w?.words));
  return rows.map(toStoredEvent);
}

/**
 * The count. Without filters (the explorer's default, and any time range) it adds up event_counts'
 * days that lie wholly inside the range and counts only the rows of the partial days at its
 * edges, so it reads a few hundred days instead of a million rows; day 0, which also holds times
 * before 1970, is always counted from the rows. With filters it counts the filter's index.
 */
export function countQuery(pn: number, query: EventQuery): SQL {
  const rows = (from: number | undefined, to: number | undefined) =>
    sql`(SELECT count(*) FROM ${events} WHERE ${timeRange(pn, from, to)})`;
  const firstDay = Math.max(1, Math.ceil((query.from ?? 0) / DAY));
  const endDay = query.to === undefined ? undefined : Math.floor(query.to / DAY);
  if (query.conditions.length > 0 || query.text.length > 0 || (endDay !== undefined && endDay <= firstDay)) {
    return sql`SELECT count(*) AS count FROM ${events} WHERE ${whereClause(pn, query)}`;
  }
  const days = sql`(SELECT coalesce(sum(${eventCounts.n}), 0) FROM ${eventCounts} WHERE ${and(eq(eventCounts.pn, pn), gte(eventCounts.day, firstDay), endDay === undefined ? undefined : lt(eventCounts.day, endDay))})`;
  const before = rows(query.from, firstDay * DAY);
  const after = endDay === undefined ? sql`0` : rows(endDay * DAY, query.to);
  // One row (the project's own) to select the sum from, so this stays a query like the other.
  return sql`SELECT ${days} + ${before} + ${after} AS count FROM ${shardProjects} WHERE ${eq(shardProjects.pn, pn)}`;
}

export async function countEvents(ctx: ProjectContext, query: EventQuery): Promise<number> {
  const [row] = await ctx.events.read<{ count: number }>(countQuery(ctx.events.pn, query));
  return row?.count ?? 0;
}

/** One event by id, within the query's scope (a partner viewer's other organisations are 404s). */
export async function getEvent(ctx: ProjectContext, id: string, scope: EventQuery): Promise<StoredEvent | undefined> {
  const { db, pn } = ctx.events;
  const where = and(whereClause(pn, scope), eq(events.id, id));
  const [row] = await db.all<ListRow>(sql`SELECT ${LIST_COLUMNS} FROM ${events} WHERE ${where} LIMIT 1`);
  return row && toStoredEvent(row);
}
