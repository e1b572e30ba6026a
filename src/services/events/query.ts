import { and, desc, eq, gte, inArray, isNull, lt, not, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { events, type EventRow } from "../../db/schema";
import { ValidationError } from "../../lib/errors";
import { base64url } from "../../lib/ids";
import { toIso } from "../../lib/time";
import type { Condition, EventQuery, TextTerm } from "./filters";
import type { StoredEvent } from "./schema";

const COLUMNS = {
  category: events.category,
  status: events.status,
  source: events.source,
  actor_id: events.actorId,
  actor_type: events.actorType,
  entity_type: events.entityType,
  entity_id: events.entityId,
  organization_id: events.organizationId,
  request_id: events.requestId,
  job_id: events.jobId,
};

type Column = SQLiteColumn;

function oneOf(column: Column, values: string[]): SQL {
  const [first] = values;
  if (values.length === 1 && first !== undefined) return eq(column, first);
  return inArray(column, values);
}

/** A negated filter also keeps events where the field is absent: `-source:api` keeps no-source events. */
function negate(condition: SQL, column: Column | undefined): SQL {
  return column ? (or(isNull(column), not(condition)) as SQL) : not(condition);
}

/** `commission.` → [`commission.`, `commission/`): an index range instead of LIKE. */
function prefixRange(prefix: string): SQL {
  const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return and(gte(events.type, prefix), lt(events.type, upper)) as SQL;
}

function conditionSql(projectId: string, query: EventQuery, c: Condition): SQL | undefined {
  switch (c.kind) {
    case "equals": {
      const column = COLUMNS[c.column];
      if (c.values.length === 0) return undefined;
      return c.negated ? negate(oneOf(column, c.values), column) : oneOf(column, c.values);
    }
    case "type": {
      if (c.prefixes.includes("")) return c.negated ? sql`0` : undefined; // `type:*` matches everything
      const parts = [...(c.exact.length ? [oneOf(events.type, c.exact)] : []), ...c.prefixes.map(prefixRange)];
      if (parts.length === 0) return undefined;
      const any = parts.length === 1 ? (parts[0] as SQL) : (or(...parts) as SQL);
      return c.negated ? not(any) : any;
    }
    case "actor": {
      if (c.values.length === 0) return undefined;
      const emails = c.values.map((v) => v.toLowerCase());
      const any = or(oneOf(events.actorId, c.values), oneOf(events.actorEmail, emails), oneOf(events.actorName, c.values)) as SQL;
      return c.negated ? not(sql`coalesce(${any}, 0)`) : any;
    }
    case "entity": {
      const match = c.id === undefined ? eq(events.entityType, c.type) : (and(eq(events.entityType, c.type), eq(events.entityId, c.id)) as SQL);
      return c.negated ? not(sql`coalesce(${match}, 0)`) : match;
    }
    case "changed": {
      if (c.fields.length === 0) return undefined;
      // The time window is repeated inside so the subquery is a range of event_changes' primary key.
      const window = [
        query.from !== undefined ? sql` AND occurred_at >= ${query.from}` : sql``,
        query.to !== undefined ? sql` AND occurred_at < ${query.to}` : sql``,
      ];
      const fields = sql.join(
        c.fields.map((f) => sql`${f}`),
        sql`, `,
      );
      const sub = sql`SELECT event_seq FROM event_changes WHERE project_id = ${projectId} AND field IN (${fields})${window[0]}${window[1]}`;
      return c.negated ? sql`${events.seq} NOT IN (${sub})` : sql`${events.seq} IN (${sub})`;
    }
  }
}

/**
 * FTS5 query text from user terms. Every term is quoted (user input never reaches FTS5's own
 * syntax); bare words match as prefixes, quoted phrases exactly. Terms without a letter or digit
 * match nothing the tokenizer keeps, so they are dropped.
 */
function ftsTerm(term: TextTerm): string | undefined {
  if (!/[\p{L}\p{N}]/u.test(term.text)) return undefined;
  const quoted = `"${term.text.replace(/"/g, '""')}"`;
  return term.phrase ? quoted : `${quoted}*`;
}

function textSql(terms: TextTerm[]): SQL[] {
  const positive = terms.filter((t) => !t.negated).map(ftsTerm).filter((t) => t !== undefined);
  const negative = terms.filter((t) => t.negated).map(ftsTerm).filter((t) => t !== undefined);
  const match = (expr: string) => sql`SELECT rowid FROM events_fts WHERE events_fts MATCH ${expr}`;
  const out: SQL[] = [];
  if (positive.length) {
    const expr = positive.join(" AND ") + (negative.length ? ` NOT (${negative.join(" OR ")})` : "");
    out.push(sql`${events.seq} IN (${match(expr)})`);
  } else if (negative.length) {
    out.push(sql`${events.seq} NOT IN (${match(negative.join(" OR "))})`);
  }
  return out;
}

export function whereClause(projectId: string, query: EventQuery): SQL {
  const parts: (SQL | undefined)[] = [eq(events.projectId, projectId)];
  if (query.from !== undefined) parts.push(gte(events.occurredAt, query.from));
  if (query.to !== undefined) parts.push(lt(events.occurredAt, query.to));
  for (const c of query.conditions) parts.push(conditionSql(projectId, query, c));
  parts.push(...textSql(query.text));
  return and(...parts) as SQL;
}

// Cursors are opaque to clients: base64url of [occurred_at, id] of the last row of a page.
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
  throw new ValidationError("cursor is not valid: pass next_cursor from a previous page unchanged", [
    { path: "cursor", message: "not a cursor returned by this API" },
  ]);
}

export function toStoredEvent(row: Pick<EventRow, "data" | "receivedAt" | "hash">): StoredEvent {
  return { ...(JSON.parse(row.data) as StoredEvent), received_at: toIso(row.receivedAt), hash: row.hash };
}

export function listQuery(db: Db, projectId: string, query: EventQuery, page: { limit: number; cursor?: string | undefined }) {
  const where = [whereClause(projectId, query)];
  if (page.cursor) {
    const [t, id] = decodeCursor(page.cursor);
    where.push(sql`(${events.occurredAt}, ${events.id}) < (${t}, ${id})`);
  }
  return db
    .select({ id: events.id, occurredAt: events.occurredAt, data: events.data, receivedAt: events.receivedAt, hash: events.hash })
    .from(events)
    .where(and(...where))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(page.limit + 1);
}

export async function listEvents(
  db: Db,
  projectId: string,
  query: EventQuery,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ data: StoredEvent[]; next_cursor: string | null }> {
  const rows = await listQuery(db, projectId, query, page);
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(toStoredEvent),
    next_cursor: more && last ? encodeCursor(last.occurredAt, last.id) : null,
  };
}

/** Events newer than a position (live mode), oldest of them last so they can be put on top in order. */
export async function listNewer(db: Db, projectId: string, query: EventQuery, after: string, limit: number): Promise<StoredEvent[]> {
  const [t, id] = decodeCursor(after);
  const rows = await db
    .select({ data: events.data, receivedAt: events.receivedAt, hash: events.hash })
    .from(events)
    .where(and(whereClause(projectId, query), sql`(${events.occurredAt}, ${events.id}) > (${t}, ${id})`))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(limit);
  return rows.map(toStoredEvent);
}

export function countQuery(db: Db, projectId: string, query: EventQuery) {
  return db.select({ count: sql<number>`count(*)` }).from(events).where(whereClause(projectId, query));
}

export async function countEvents(db: Db, projectId: string, query: EventQuery): Promise<number> {
  const [row] = await countQuery(db, projectId, query);
  return row?.count ?? 0;
}

/** One event by id, within the query's scope (a partner viewer's other organisations are 404s). */
export async function getEvent(db: Db, projectId: string, id: string, scope: EventQuery): Promise<StoredEvent | undefined> {
  const [row] = await db
    .select({ data: events.data, receivedAt: events.receivedAt, hash: events.hash })
    .from(events)
    .where(and(whereClause(projectId, scope), eq(events.id, id)))
    .limit(1);
  return row && toStoredEvent(row);
}
