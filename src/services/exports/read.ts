import { and, desc, sql } from "drizzle-orm";
import type { ShardDb } from "../../db/shard/client";
import { events } from "../../db/shard/schema";
import { toIso } from "../../lib/time";
import type { ProjectContext } from "../context";
import type { EventQuery } from "../events/filters";
import { decodeCursor, encodeCursor, listEvents, readsWindow, whereClause } from "../events/query";
import type { StoredEvent } from "../events/schema";

/** Rows per D1 query: on 100,000 rows, 500 took more time, 2,000 no less and 5,000 more. */
export const EXPORT_PAGE = 1000;

/** `cursor`: where the next page starts (the list API's cursor format); null after the last page. */
export type ExportPage = { events: StoredEvent[]; cursor: string | null };

type PageRow = [id: string, occurredAt: number, data: string, receivedAt: number, hash: string];

/**
 * A page's events as toStoredEvent makes them (the same keys in the same order: the parsed event's,
 * then received_at and hash), without copying each parsed object, and with the receive time's text
 * made once for a run of rows received together (a batch shares one).
 */
function storedEvents(rows: PageRow[]): StoredEvent[] {
  let receivedAt = Number.NaN;
  let receivedIso = "";
  return rows.map((r) => {
    if (r[3] !== receivedAt) {
      receivedAt = r[3];
      receivedIso = toIso(receivedAt);
    }
    const event = JSON.parse(r[2]) as StoredEvent;
    event.received_at = receivedIso;
    event.hash = r[4];
    return event;
  });
}

/** After every stored time, so the first page is the same statement as the others. */
const START: [number, string] = [Number.MAX_SAFE_INTEGER, ""];

/**
 * The export's keyset read: the list API's filters, scope and order, but the statement is built
 * once and its pages come back as arrays: building the SQL and mapping every row to an object, page
 * after page, were a large share of an export's CPU profile.
 */
function pageStatement(db: ShardDb, pn: number, query: EventQuery) {
  return db
    .select({
      id: events.id,
      occurredAt: events.occurredAt,
      data: events.data,
      receivedAt: events.receivedAt,
      hash: sql<string>`lower(hex(${events.hash}))`,
    })
    .from(events)
    .where(
      and(
        whereClause(pn, query),
        sql`(${events.occurredAt}, ${events.id}) < (${sql.placeholder("t")}, ${sql.placeholder("id")})`,
      ),
    )
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(sql.placeholder("limit"))
    .prepare();
}

/** Pages of the query's events, newest first, from a cursor (null: from the newest). */
export async function* readExportPages(
  ctx: ProjectContext,
  query: EventQuery,
  cursor: string | null,
  pageSize = EXPORT_PAGE,
): AsyncGenerator<ExportPage> {
  if (readsWindow(query)) {
    // A set-like filter (a type prefix, full text, a changed field…) as one statement would collect
    // and sort every remaining match for each page; the list's window reads each page from the
    // next rows in time order instead. 50 pages' worth of rows keeps filters matching 1 row in 50
    // on the window.
    let next = cursor ?? undefined;
    for (;;) {
      const page = await listEvents(ctx, query, { limit: pageSize, cursor: next, window: pageSize * 50 });
      yield { events: page.data, cursor: page.next_cursor };
      if (!page.next_cursor) return;
      next = page.next_cursor;
    }
  }
  const statement = pageStatement(ctx.events.db, ctx.events.pn, query);
  const read = (after: [number, string]) =>
    statement.values({ t: after[0], id: after[1], limit: pageSize }) as Promise<PageRow[]>;
  let pending = read(cursor ? decodeCursor(cursor) : START);
  for (;;) {
    const rows = await pending;
    const last = rows.at(-1);
    const after: [number, string] | undefined = rows.length === pageSize && last ? [last[1], last[0]] : undefined;
    // The next page is asked for before this one is handed on, so D1 reads it while the caller
    // formats and writes this one. A step that stops at a full part leaves that page unread.
    if (after) {
      pending = read(after);
      pending.catch(() => undefined); // its error surfaces at the await above, if it is awaited
    }
    yield {
      events: storedEvents(rows),
      cursor: after ? encodeCursor(after[0], after[1]) : null,
    };
    if (!after) return;
  }
}
