import type { ExportFormat, Task, TaskError } from "../../db/schema";
import { AppError, GoneError, ValidationError } from "../../lib/errors";
import { toValidationError } from "../../lib/validation";
import type { ProjectContext, ServiceContext } from "../context";
import { EventInput } from "../events/schema";
import { recordEvents } from "../ingest/record";
import { notify } from "../notifications/notify";
import type { StepResult, TaskKind, TaskOutcome } from "../tasks/engine";
import { lastBoundary, parseCsv, parseJsonLines, type RawRecord } from "./parse";

/** Bytes read per step: thousands of rows, well inside a step's time and memory. */
export const IMPORT_CHUNK_BYTES = 512 * 1024;
const BATCH = 500;

type Checkpoint = {
  offset: number;
  line: number;
  header?: string[];
  stored: number;
  duplicates: number;
  fraction: number;
};

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Rows without an id get one made from the task and the line, so a step that runs twice stores
 * the same events again and they answer as duplicates instead of being stored twice.
 */
function withId(value: unknown, taskId: string, line: number): unknown {
  if (value && typeof value === "object" && !Array.isArray(value) && !("id" in value))
    return { id: `evt_imp_${taskId.slice(4)}_${line}`, ...value };
  return value;
}

function problemOf(error: unknown): string {
  if (error instanceof AppError)
    return error.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ") || error.message;
  throw error;
}

/** One step of an import: read the next chunk up to a record boundary, validate, store the valid rows. */
export async function importStep(ctx: ProjectContext, task: Task): Promise<StepResult> {
  const { files } = ctx;
  const { fileKey, format, size } = task.params as { fileKey: string; format: ExportFormat; size: number };
  const state = (task.checkpoint ?? { offset: 0, line: 1, stored: 0, duplicates: 0, fraction: 0 }) as Checkpoint;
  const object = await files.get(fileKey, { range: { offset: state.offset, length: IMPORT_CHUNK_BYTES } });
  if (!object) throw new GoneError("the uploaded file is missing");
  const text = decoder.decode(await object.arrayBuffer());
  const atEnd = state.offset + IMPORT_CHUNK_BYTES >= size;
  const cut = atEnd ? text.length : lastBoundary(text, format === "csv");
  if (cut === 0 && !atEnd)
    throw new ValidationError(`the record at line ${state.line} is longer than ${IMPORT_CHUNK_BYTES / 1024} KB`);
  const chunk = text.slice(0, cut);
  const consumed = encoder.encode(chunk).byteLength;

  let header = state.header;
  let raw: RawRecord[];
  if (format === "csv") {
    const parsed = parseCsv(chunk, state.line, header);
    if (parsed.fatal) {
      const { line, error } = parsed.fatal;
      return {
        done: true,
        checkpoint: { ...state, fraction: 1 },
        processed: task.processed,
        total: task.processed,
        failure: 1,
        errors: [{ line, message: error }],
        result: { stored: state.stored, duplicates: state.duplicates, bytes: size },
      };
    }
    header = parsed.header;
    raw = parsed.records;
  } else {
    raw = parseJsonLines(chunk, state.line);
  }

  const errors: TaskError[] = [];
  const valid: { line: number; input: EventInput }[] = [];
  for (const record of raw) {
    if ("error" in record) {
      errors.push({ line: record.line, message: record.error });
      continue;
    }
    const parsed = EventInput.safeParse(withId(record.value, task.id, record.line));
    if (parsed.success) valid.push({ line: record.line, input: parsed.data });
    else
      errors.push({
        line: record.line,
        message: toValidationError(parsed.error)
          .errors.map((e) => `${e.path}: ${e.message}`)
          .join("; "),
      });
  }

  let stored = 0;
  let duplicates = 0;
  for (let i = 0; i < valid.length; i += BATCH) {
    const batch = valid.slice(i, i + BATCH);
    try {
      const results = await recordEvents(
        ctx,
        batch.map((b) => b.input),
        { batch: true },
      );
      for (const r of results) r.duplicate ? duplicates++ : stored++;
    } catch (error) {
      problemOf(error);
      // One row failed the batch (a conflict, a time in the future…): store row by row to name it.
      for (const { line, input } of batch) {
        try {
          const [r] = await recordEvents(ctx, [input], { batch: false });
          if (r?.duplicate) duplicates++;
          else stored++;
        } catch (rowError) {
          errors.push({ line, message: problemOf(rowError) });
        }
      }
    }
  }

  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const rowsSeen = raw.filter((r) => !("error" in r && r.error.endsWith("(ignored)"))).length;
  const newLines = (chunk.match(/\n/g) ?? []).length;
  const offset = state.offset + consumed;
  const done = atEnd || offset >= size;
  const next: Checkpoint = {
    offset,
    line: state.line + newLines,
    ...(header && { header }),
    stored: state.stored + stored,
    duplicates: state.duplicates + duplicates,
    fraction: size ? Math.min(1, offset / size) : 1,
  };
  const processed = task.processed + rowsSeen;
  return {
    done,
    checkpoint: next,
    processed,
    ...(done && { total: processed }),
    success: stored + duplicates,
    failure: errors.filter((e) => !e.message.endsWith("(ignored)")).length,
    errors,
    ...(done && { result: { stored: next.stored, duplicates: next.duplicates, bytes: size } }),
  };
}

/** "Import done" (or failed) for the member who started it; for everyone who may see tasks when a key did. */
async function notifyImportEnded(ctx: ServiceContext, task: Task, outcome: TaskOutcome): Promise<void> {
  const userId = task.createdBy?.startsWith("usr_") ? task.createdBy : null;
  const name = String(task.params.name ?? "a file");
  await notify(
    ctx,
    {
      projectId: task.projectId,
      userId,
      type: outcome === "done" ? "import.done" : "import.failed",
      title:
        outcome === "done"
          ? `Import of ${name} done: ${task.successCount.toLocaleString("en-US")} stored, ${task.failureCount.toLocaleString("en-US")} failed`
          : `Import of ${name} failed`,
      body: outcome === "failed" ? (task.errors.at(-1)?.message ?? null) : null,
      link: `/p/${task.projectId}/tasks/${task.id}`,
    },
    `${task.id}_${outcome}`,
  );
}

/**
 * An import's upload (`params.fileKey`) is deleted once the import has ended, done or failed, and
 * only then, so a step resumed after a crash still finds it. R2 deletes are idempotent, so every
 * path that sees the task ended deletes again; the import upload sweep catches a crash between the
 * end and the delete.
 */
async function deleteUpload(ctx: ServiceContext, task: Task): Promise<void> {
  const key = task.params.fileKey;
  // The upload is in the bucket of the project's region at the time; R2 deletes are idempotent.
  if (typeof key === "string") await Promise.all([ctx.env.FILES.delete(key), ctx.env.FILES_EU.delete(key)]);
}

/** Imports as a kind of background task. */
export const importTask: TaskKind = { step: importStep, notifyEnded: notifyImportEnded, release: deleteUpload };
