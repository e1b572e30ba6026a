import { and, eq, type SQL, sql } from "drizzle-orm";
import { events } from "../../db/shard/schema";
import { CursorError } from "../../lib/errors";
import { base64url } from "../../lib/ids";
import type { ProjectContext } from "../context";
import type { EventQuery } from "./filters";
import { LIST_COLUMNS, type ListRow, whereClause } from "./query";

// The events feed (README "Events feed"): a project's events in the order they were stored, for
// pollers (SIEMs) and log streams. The order is (received_at, id): both are kept when a project
// moves to another shard, where `seq` is not. A position is served only once nothing can still be
// committed before it: every ingest takes its receive time, then commits within a bounded time
// (src/services/ingest/record.ts), so events received before `now − settle` are final. Late events
// with an old occurred_at are no exception: they are ordered by when they were received.

/** A place in the feed: after every event ordered at or before (received_at, id). */
export type FeedPosition = { receivedAt: number; id: string };

/** The start of the feed: before every event. */
export const FEED_START: FeedPosition = { receivedAt: 0, id: "" };

const CURSOR_PREFIX = "f1.";

export function encodeFeedCursor(p: FeedPosition): string {
  return CURSOR_PREFIX + base64url(new TextEncoder().encode(JSON.stringify([p.receivedAt, p.id])));
}

export function decodeFeedCursor(cursor: string): FeedPosition {
  if (cursor.startsWith(CURSOR_PREFIX)) {
    try {
      const b64 = cursor.slice(CURSOR_PREFIX.length).replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
      if (
        Array.isArray(value) &&
        value.length === 2 &&
        Number.isSafeInteger(value[0]) &&
        (value[0] as number) >= 0 &&
        typeof value[1] === "string" &&
        value[1].length <= 128
      )
        return { receivedAt: value[0] as number, id: value[1] };
    } catch {
      // fall through to the validation error
    }
  }
  throw new CursorError();
}

/** The position where events received from `ms` on begin (replays from a time). */
export function feedPositionAt(ms: number): FeedPosition {
  return { receivedAt: Math.max(0, Math.floor(ms)), id: "" };
}

/** Whether a is before b in feed order. */
export function feedBefore(a: FeedPosition, b: FeedPosition): boolean {
  return a.receivedAt < b.receivedAt || (a.receivedAt === b.receivedAt && a.id < b.id);
}

/**
 * Rows a filtered page reads at most before it answers: a rare filter over a long stretch of the
 * feed answers with fewer events (maybe none) and a cursor past what it read, instead of reading
 * on without bound. An unfiltered page never needs it: every row it reads is one it returns.
 */
export const FEED_SCAN_ROWS = 5_000;

const BY_RECEIVED = sql`${events} INDEXED BY events_received`;

/** Events after `after`, received before `before` (exclusive). */
function feedRange(pn: number, after: FeedPosition, before: number): SQL {
  return and(
    eq(events.pn, pn),
    // A range on the index first, then the tie-break inside the first instant.
    sql`${events.receivedAt} >= ${after.receivedAt}`,
    sql`(${events.receivedAt} > ${after.receivedAt} OR ${events.id} > ${after.id})`,
    sql`${events.receivedAt} < ${before}`,
  ) as SQL;
}

/** The receive time of the `FEED_SCAN_ROWS + 1`-th row after `after`, read from the index alone. */
export function scanEdgeQuery(pn: number, after: FeedPosition, before: number, rows = FEED_SCAN_ROWS): SQL {
  return sql`SELECT ${events.receivedAt} AS at FROM ${BY_RECEIVED} WHERE ${eq(events.pn, pn)} AND ${events.receivedAt} >= ${after.receivedAt} AND ${events.receivedAt} < ${before} ORDER BY ${events.receivedAt} LIMIT 1 OFFSET ${rows}`;
}

/** The page: the filters checked row by row along the receive-time index, in feed order. */
export function feedQuery(pn: number, query: EventQuery, after: FeedPosition, before: number, limit: number): SQL {
  // `walk` shapes changed-field filters as per-row probes instead of collecting every change.
  const where = and(whereClause(pn, query, {}), feedRange(pn, after, before));
  return sql`SELECT ${LIST_COLUMNS} FROM ${BY_RECEIVED} WHERE ${where} ORDER BY ${events.receivedAt}, ${events.id} LIMIT ${limit}`;
}

export type FeedPage = {
  rows: ListRow[];
  /** Where the next page starts: after the last row, or after everything this page read. */
  next: FeedPosition;
  /** More events are already available past `next` (ask again at once). */
  more: boolean;
};

export function hasFilters(query: EventQuery): boolean {
  return query.conditions.length > 0 || query.text.length > 0 || query.from !== undefined || query.to !== undefined;
}

/**
 * One page of the feed after `after`: up to `limit` events received before `now − settleMs`,
 * in (received_at, id) order. An empty page keeps the position.
 */
export async function readFeed(
  ctx: ProjectContext,
  query: EventQuery,
  page: { after: FeedPosition; limit: number },
  now: number,
  settleMs: number,
): Promise<FeedPage> {
  const { db, pn } = ctx.events;
  const horizon = now - settleMs;
  let before = horizon;
  let capped = false;
  if (hasFilters(query)) {
    const [edge] = await db.all<{ at: number }>(scanEdgeQuery(pn, page.after, horizon));
    // Every row at the edge's instant is left to the next page; a page always gets past its first instant.
    if (edge) {
      before = Math.max(edge.at, page.after.receivedAt + 1);
      capped = before < horizon;
    }
  }
  const rows = await db.all<ListRow>(feedQuery(pn, query, page.after, before, page.limit + 1));
  if (rows.length > page.limit) {
    const pageRows = rows.slice(0, page.limit);
    const last = pageRows.at(-1) as ListRow;
    return { rows: pageRows, next: { receivedAt: last.receivedAt, id: last.id }, more: true };
  }
  if (capped) return { rows, next: feedPositionAt(before), more: true };
  const last = rows.at(-1);
  return { rows, next: last ? { receivedAt: last.receivedAt, id: last.id } : page.after, more: false };
}

/**
 * How far a position is behind: the events after it (counted up to `cap`, matching the query),
 * and the receive time of the oldest of them. Counts every received event, settled or not.
 */
export async function feedBacklog(
  ctx: ProjectContext,
  query: EventQuery,
  after: FeedPosition,
  cap: number,
): Promise<{ events: number; oldestReceivedAt: number | null }> {
  const { db, pn } = ctx.events;
  const range = and(whereClause(pn, query, {}), feedRange(pn, after, Number.MAX_SAFE_INTEGER));
  const [row] = await db.all<{ n: number; oldest: number | null }>(
    sql`SELECT count(*) AS n, min(at) AS oldest FROM (SELECT ${events.receivedAt} AS at FROM ${BY_RECEIVED} WHERE ${range} LIMIT ${cap})`,
  );
  return { events: row?.n ?? 0, oldestReceivedAt: row?.oldest ?? null };
}
