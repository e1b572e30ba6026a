import { parse } from "csv-parse/sync";
import { ValidationError } from "../../lib/errors";
import { CSV_COLUMNS, formulaLike } from "../exports/format";

// Import files: JSON Lines of events in the wire format, or CSV with the columns our CSV export
// writes (so an export can be imported again). Rows are turned into event objects here and
// validated by the one event schema afterwards.

export type RawRecord = { line: number; value: unknown } | { line: number; error: string };

/** The index just past the last record boundary in `text` (a newline outside quotes for CSV). */
export function lastBoundary(text: string, csv: boolean): number {
  if (!csv) return text.lastIndexOf("\n") + 1;
  let quoted = false;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === "\n" && !quoted) last = i + 1;
  }
  return last;
}

export function parseJsonLines(text: string, firstLine: number): RawRecord[] {
  const out: RawRecord[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      out.push({ line: firstLine + i, value: JSON.parse(line) as unknown });
    } catch {
      out.push({ line: firstLine + i, error: "not valid JSON" });
    }
  });
  return out;
}

const KNOWN = new Set<string>(CSV_COLUMNS);

function jsonCell(text: string, column: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError(`${column} is not valid JSON`);
  }
}

/** A CSV record (by header name) as a wire event; export-only columns (hash, received_at) are ignored. */
export function csvToEvent(row: Record<string, string>): Record<string, unknown> {
  const v = (k: string) => {
    const value = row[k];
    // Cells our export neutralised against formula injection get their text back.
    if (value === undefined || value === "") return undefined;
    return value.startsWith("'") && formulaLike(value.slice(1)) ? value.slice(1) : value;
  };
  const actor = { type: v("actor_type"), id: v("user_id"), name: v("user_name"), email: v("user_email") };
  const entity = { type: v("entity_type") ?? v("entity_class"), id: v("entity_id"), name: v("entity_name") };
  const statusCode = v("status_code");
  const request = {
    id: v("request_id"),
    method: v("request_method"),
    path: v("request_path"),
    controller: v("request_controller"),
    action: v("request_action"),
    status_code: statusCode === undefined ? undefined : Number(statusCode),
  };
  const targets = v("model_class") || v("model_id") ? [{ type: v("model_class"), id: v("model_id") }] : undefined;
  const some = (o: Record<string, unknown>) => (Object.values(o).some((x) => x !== undefined) ? o : undefined);
  const event: Record<string, unknown> = {
    id: v("event_id") ?? v("id"),
    occurred_at: v("timestamp") ?? v("occurred_at"),
    category: v("category"),
    type: v("type") ?? (v("entity_type") && v("action") ? `${v("entity_type")}.${v("action")}` : undefined),
    status: v("status"),
    summary: v("summary"),
    message: v("message"),
    lifecycle_action: v("lifecycle_action"),
    actor: some(actor),
    source: v("source"),
    entity: some(entity),
    targets,
    organization_id: v("organization_id"),
    changes: jsonCell(row.changes ?? "", "changes"),
    request: some(request),
    job_id: v("job_id"),
    metadata: jsonCell(row.metadata ?? "", "metadata"),
  };
  return Object.fromEntries(Object.entries(event).filter(([, x]) => x !== undefined));
}

// Problems are named by csv-parse's error code, never with its message: some messages quote the
// cell being read, and a per-line error is kept with the task long after the upload is deleted.
const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "Quote Not Closed: a quoted cell is not closed",
  INVALID_OPENING_QUOTE: "Invalid Opening Quote: a quote inside a cell that does not start with one",
  CSV_INVALID_CLOSING_QUOTE: "Invalid Closing Quote: text after the closing quote of a cell",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "Invalid Closing Quote: text after the closing quote of a cell",
};

/** A header cell shown in an error only when it reads as a column name (a file without a header has data there). */
const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_. -]{0,63}$/;

function unknownColumns(unknown: string[]): string {
  const named = unknown.filter((c) => COLUMN_NAME.test(c));
  const others = unknown.length - named.length;
  const list = [...named, ...(others ? [`${others} unnamed`] : [])].join(", ");
  return `unknown column${unknown.length > 1 ? "s" : ""} ${list} (ignored)`;
}

/**
 * Parses CSV text; the first record of the file is the header. A header without any known column
 * is `fatal`: the file has no header (or not ours), and its first line may well be data.
 */
export function parseCsv(
  text: string,
  firstLine: number,
  header: string[] | undefined,
): { header: string[]; records: RawRecord[]; fatal?: { line: number; error: string } } {
  const out: RawRecord[] = [];
  // A malformed record (a stray quote…) is reported with its line and the rest still imports.
  const rows = parse(text, {
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    bom: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error)
        out.push({
          line: firstLine + Math.max(0, (error as { lines?: number }).lines ?? 1) - 1,
          error: `not valid CSV: ${CSV_PROBLEMS[(error as { code?: string }).code ?? ""] ?? "the line cannot be read"}`,
        });
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  let columns = header;
  for (const { record, info } of rows) {
    const line = firstLine + info.lines - 1;
    if (!columns) {
      columns = record.map((c) => c.trim());
      const unknown = columns.filter((c) => c && !KNOWN.has(c) && c !== "id" && c !== "occurred_at");
      if (unknown.length === columns.filter(Boolean).length)
        return {
          header: [],
          records: [],
          fatal: {
            line,
            error: `the first line must name the columns (timestamp, event_id, type, … as an export writes them); none of its ${columns.length} cells is a known column`,
          },
        };
      if (unknown.length) out.push({ line, error: unknownColumns(unknown) });
      continue;
    }
    const object = Object.fromEntries(columns.map((c, i) => [c, record[i] ?? ""]));
    try {
      out.push({ line, value: csvToEvent(object) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      out.push({ line, error: error.message });
    }
  }
  return { header: columns ?? [], records: out };
}
