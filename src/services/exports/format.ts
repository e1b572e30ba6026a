import type { StoredEvent } from "../events/schema";

/**
 * CSV columns: FirstPromoter's activity-log export first, with `changes` as JSON, then
 * the fields of our events it does not have, so an export can be imported again without loss.
 */
export const CSV_COLUMNS = [
  "timestamp",
  "event_id",
  "user_id",
  "user_name",
  "user_email",
  "entity_type",
  "entity_id",
  "entity_class",
  "action",
  "changes",
  "model_class",
  "model_id",
  "promoter_id",
  "request_method",
  "request_path",
  "request_controller",
  "request_action",
  "status_code",
  "category",
  "type",
  "status",
  "summary",
  "message",
  "lifecycle_action",
  "source",
  "actor_type",
  "entity_name",
  "organization_id",
  "request_id",
  "job_id",
  "metadata",
  "received_at",
  "hash",
] as const;

/**
 * A formula character (`=`, `+`, `-`, `@`, tab, CR, or their full-width forms) as the first visible
 * character: spreadsheets skip leading spaces, quotes, no-break and zero-width spaces and the BOM
 * before deciding a cell is a formula, and some read full-width signs as ASCII ones.
 */
const FORMULA = /^[\s"'\u2018-\u201F\u200B-\u200D\u2060\uFEFF]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** True when a spreadsheet could run the cell as a formula. */
export function formulaLike(cell: string): boolean {
  return FORMULA.test(cell);
}

/**
 * Cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection). The
 * apostrophe is itself a skipped lead character, so a cell that already starts with one followed by
 * a formula gets another: the import strips exactly one and every cell reads back as written.
 */
export function neutralise(cell: string): string {
  return formulaLike(cell) ? `'${cell}` : cell;
}

function json(value: unknown): string {
  return value === undefined ? "" : JSON.stringify(value);
}

export function csvRecord(e: StoredEvent): string[] {
  const firstTarget = e.targets?.[0];
  const promoter = e.targets?.find((t) => t.type === "promoter");
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    timestamp: e.occurred_at,
    event_id: e.id,
    user_id: e.actor?.id,
    user_name: e.actor?.name,
    user_email: e.actor?.email,
    entity_type: e.entity?.type,
    entity_id: e.entity?.id,
    entity_class: e.entity?.type,
    action: e.action,
    changes: json(e.changes),
    model_class: firstTarget?.type,
    model_id: firstTarget?.id,
    promoter_id: promoter?.id,
    request_method: e.request?.method,
    request_path: e.request?.path,
    request_controller: e.request?.controller,
    request_action: e.request?.action,
    status_code: e.request?.status_code,
    category: e.category,
    type: e.type,
    status: e.status,
    summary: e.summary,
    message: e.message,
    lifecycle_action: e.lifecycle_action,
    source: e.source,
    actor_type: e.actor?.type,
    entity_name: e.entity?.name,
    organization_id: e.organization_id,
    request_id: e.request?.id,
    job_id: e.job_id,
    metadata: json(e.metadata),
    received_at: e.received_at,
    hash: e.hash,
  };
  return CSV_COLUMNS.map((c) => {
    const v = values[c];
    return v === undefined || v === null ? "" : neutralise(String(v));
  });
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
const NEEDS_QUOTES = /[",\r\n]/;

function cell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * One value as csvRecord and csvLines together write it. A cell starting with an ASCII letter or
 * digit (nearly all of them) is neither skipped nor a formula character, so the formula check is
 * left to the rest.
 */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : String(value);
  const c = text.charCodeAt(0);
  const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return cell(plain ? text : neutralise(text));
}

/**
 * The CSV line of one event, CRLF-ended: exactly `csvLines([csvRecord(e)])` (a test compares
 * them over generated events), without the record's object and array, which were most of an
 * export's formatting time.
 */
export function csvLine(e: StoredEvent): string {
  const { actor, entity, request, targets } = e;
  const firstTarget = targets?.[0];
  const promoter = targets?.find((t) => t.type === "promoter");
  return `${csvCell(e.occurred_at)},${csvCell(e.id)},${csvCell(actor?.id)},${csvCell(actor?.name)},${csvCell(actor?.email)},${csvCell(entity?.type)},${csvCell(entity?.id)},${csvCell(entity?.type)},${csvCell(e.action)},${csvCell(json(e.changes))},${csvCell(firstTarget?.type)},${csvCell(firstTarget?.id)},${csvCell(promoter?.id)},${csvCell(request?.method)},${csvCell(request?.path)},${csvCell(request?.controller)},${csvCell(request?.action)},${csvCell(request?.status_code)},${csvCell(e.category)},${csvCell(e.type)},${csvCell(e.status)},${csvCell(e.summary)},${csvCell(e.message)},${csvCell(e.lifecycle_action)},${csvCell(e.source)},${csvCell(actor?.type)},${csvCell(entity?.name)},${csvCell(e.organization_id)},${csvCell(request?.id)},${csvCell(e.job_id)},${csvCell(json(e.metadata))},${csvCell(e.received_at)},${csvCell(e.hash)}\r\n`;
}

/**
 * CSV lines with CRLF endings, written here: csv-stringify (6.9) left a lone line feed or carriage
 * return in a cell unquoted when records end with CRLF, so an event whose message had a line break
 * split into two rows for every reader; and it took 11 µs for a row of 33 cells, most of an
 * export's formatting time, where this takes about a tenth. csv-parse checks it in the tests.
 */
export function csvLines(records: string[][]): string {
  let out = "";
  for (const record of records) out += `${record.map(cell).join(",")}\r\n`;
  return out;
}

export function csvHeader(): string {
  return csvLines([[...CSV_COLUMNS]]);
}

export function jsonLine(e: StoredEvent): string {
  return `${JSON.stringify(e)}\n`;
}
