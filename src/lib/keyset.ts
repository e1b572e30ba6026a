import { type Column, type SQL, sql } from "drizzle-orm";
import { CursorError } from "./errors";
import { base64url } from "./ids";

/**
 * Keyset paging of the operational lists (tasks, exports, webhooks, sendouts, notifications): newest
 * first by (created_at, id), the cursor being the last row's pair. Rows added while a client walks
 * the pages are newer than its position, so they never shift what the next page returns.
 */
export type Page = { limit: number; cursor?: string | undefined };
export type Paged<T> = { data: T[]; next_cursor: string | null };

export function encodeKeyset(createdAt: number, id: string): string {
  return base64url(new TextEncoder().encode(JSON.stringify([createdAt, id])));
}

export function decodeKeyset(cursor: string): [number, string] {
  try {
    const bytes = Uint8Array.from(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return [value[0] as number, value[1]];
    }
  } catch {
    // fall through to the validation error
  }
  throw new CursorError();
}

/**
 * Rows after the cursor's position. Written as a range on `created_at` plus a tie-break rather than
 * a row-value comparison, so the `(project_id, created_at)` indexes serve it as a range.
 */
export function afterCursor(createdAt: Column, id: Column, cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const [t, last] = decodeKeyset(cursor);
  return sql`(${createdAt} <= ${t} AND (${createdAt} < ${t} OR ${id} < ${last}))`;
}

/** A page from `limit + 1` rows read: the extra row only says that another page exists. */
export function toPage<T>(rows: T[], limit: number, key: (row: T) => [number, string]): Paged<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, next_cursor: rows.length > limit && last ? encodeKeyset(...key(last)) : null };
}
