import { eq } from "drizzle-orm";
import { dataExports, type ExportRow, type Task } from "../../db/schema";
import { InvariantError } from "../../lib/errors";
import type { ProjectContext, ServiceContext } from "../context";
import { compileFilters, type EventQuery, scopeForAccess } from "../events/filters";
import { notify } from "../notifications/notify";
import type { StepResult, TaskKind, TaskOutcome } from "../tasks/engine";
import { csvHeader, csvLine, jsonLine } from "./format";
import { readExportPages } from "./read";

/** R2's smallest part (all but the last); a step holds at most two (one uploading, one being made). */
export const PART_SIZE = 5 * 1024 * 1024;
/** Parts one step makes at most: fewer steps, each short enough for a queue consumer's limits. */
export const PARTS_PER_STEP = 3;

/** `rest`: the R2 key of the bytes made after the last full part, carried to the next step. */
type Checkpoint = {
  uploadId?: string;
  cursor?: string | null;
  parts: R2UploadedPart[];
  rows: number;
  bytes: number;
  largestPart?: number;
  rest?: string | null;
};

const encoder = new TextEncoder();

/**
 * Collects a step's bytes after those the previous step carried over, through gzip when asked
 * (each step's new bytes are one complete gzip member).
 */
export class PartBuffer {
  private chunks: Uint8Array[] = [];
  /** Bytes held, the carried ones included. */
  size = 0;
  readonly carried: number;
  private writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  private reading: Promise<void> | undefined;

  constructor(gzip: boolean, carried: Uint8Array) {
    this.chunks = carried.byteLength > 0 ? [carried] : [];
    this.size = this.carried = carried.byteLength;
    if (!gzip) return;
    const stream = new CompressionStream("gzip");
    this.writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    this.reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.chunks.push(value);
        this.size += value.byteLength;
      }
    })();
  }

  async write(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    if (this.writer) {
      await this.writer.write(bytes);
      return;
    }
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
  }

  /** One array of all the bytes; the pieces are let go, so the step holds its output once. */
  async finish(): Promise<Uint8Array> {
    if (this.writer) {
      await this.writer.close();
      await this.reading;
    }
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.chunks = [];
    return out;
  }
}

async function carriedBytes(files: R2Bucket, key: string | null | undefined): Promise<Uint8Array> {
  const object = key ? await files.get(key) : null;
  return object ? new Uint8Array(await object.arrayBuffer()) : new Uint8Array(0);
}

export function exportQuery(row: ExportRow, timeZone: string): EventQuery {
  const query = compileFilters(row.filters, timeZone);
  return scopeForAccess(query, {
    role: row.scope.configuration ? "admin" : "member",
    organizationId: row.scope.organizationId,
  });
}

/**
 * One step of an export: the first opens the multipart upload and counts the rows; each next one
 * reads pages of events from the keyset cursor until it has a part's worth, uploads it as the next
 * part and checkpoints the cursor; the last completes the upload. A repeated step re-uploads the
 * same part number with the same bytes, so nothing is duplicated.
 */
export async function exportStep(ctx: ProjectContext, task: Task): Promise<StepResult> {
  const { files, db, project } = ctx;
  const exportId = String(task.params.exportId);
  const [row] = await db.select().from(dataExports).where(eq(dataExports.id, exportId)).limit(1);
  if (!row) throw new InvariantError(`export ${exportId} does not exist`);
  const query = exportQuery(row, project.timezone);
  const state = (task.checkpoint ?? { parts: [], rows: 0, bytes: 0 }) as Checkpoint;

  if (!state.uploadId) {
    const contentType = row.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
    const upload = await files.createMultipartUpload(row.fileKey, {
      httpMetadata: { contentType: row.gzip ? "application/gzip" : contentType },
      customMetadata: { exportId: row.id, format: row.format },
    });
    // The total was counted when the export was requested, with the same scope; it is only shown as
    // progress, and the finished export reports the rows it wrote.
    return { done: false, checkpoint: { ...state, uploadId: upload.uploadId, cursor: null }, processed: 0 };
  }

  // R2 wants every part but the last to have the same size, so each step uploads whole
  // PART_SIZE parts and keeps what is left in a small object named after the parts so far (a
  // repeated step reads and writes the same names, so nothing doubles). A step makes up to
  // PARTS_PER_STEP parts in rounds, each round's new bytes one gzip member when compressed; a part
  // uploads while the next round reads and formats its rows.
  const upload = files.resumeMultipartUpload(row.fileKey, state.uploadId);
  const parts = [...state.parts];
  let carried = await carriedBytes(files, state.rest);
  let header = state.rows === 0 && state.parts.length === 0 && !state.rest && row.format === "csv";
  let cursor = state.cursor ?? null;
  let rows = 0;
  let made = 0;
  let largestPart = state.largestPart ?? 0;
  let exhausted = false;
  // Until the last page is read, an error is the step's own: nothing was completed.
  let reading = true;
  let uploading: Promise<unknown> = Promise.resolve();
  // An upload's failure is raised once the step has read its rows, as when parts went out at the
  // end (a run whose last upload was completed before a crash finds the file there).
  let uploadFailed: { error: unknown } | undefined;
  const pages = readExportPages(ctx, query, cursor);
  try {
    for (let round = 1; ; round++) {
      const part = new PartBuffer(row.gzip, carried);
      if (header) await part.write(csvHeader());
      header = false;
      exhausted = true;
      for (;;) {
        const next = await pages.next();
        if (next.done) break;
        const page = next.value;
        if (page.events.length > 0) {
          await part.write(
            row.format === "csv" ? page.events.map(csvLine).join("") : page.events.map(jsonLine).join(""),
          );
          rows += page.events.length;
        }
        cursor = page.cursor;
        if (cursor && part.size >= PART_SIZE) {
          exhausted = false;
          break;
        }
      }
      // The last round's part has gone out before this one's bytes are joined: a step holds at
      // most the part uploading and the round being made.
      await uploading;
      const output = await part.finish();
      made += output.byteLength - part.carried;
      largestPart = Math.max(largestPart, output.byteLength);
      let offset = 0;
      while (output.byteLength - offset >= PART_SIZE) {
        await uploading;
        const number = parts.length + 1;
        parts.push(undefined as unknown as R2UploadedPart);
        if (!uploadFailed)
          uploading = upload.uploadPart(number, output.subarray(offset, offset + PART_SIZE)).then(
            (uploaded) => {
              parts[number - 1] = uploaded;
            },
            (error: unknown) => {
              uploadFailed = { error };
            },
          );
        offset += PART_SIZE;
      }
      // A copy, so the round's whole output can go once its part is uploaded.
      carried = output.slice(offset);
      if (exhausted || round >= PARTS_PER_STEP) break;
    }
    reading = false;
    await uploading;
    if (uploadFailed) throw uploadFailed.error;
    const next: Checkpoint = {
      uploadId: state.uploadId,
      cursor,
      parts,
      rows: state.rows + rows,
      bytes: state.bytes + made,
      largestPart,
      rest: null,
    };
    if (!exhausted) {
      if (carried.byteLength > 0) {
        next.rest = `${row.fileKey}.rest-${parts.length}`;
        await files.put(next.rest, carried);
      }
      return { done: false, checkpoint: next, processed: next.rows };
    }
    if (carried.byteLength > 0 || parts.length === 0) parts.push(await upload.uploadPart(parts.length + 1, carried));
    await upload.complete(parts);
    return await finishExport(ctx, row.id, row.fileKey, next);
  } catch (error) {
    await uploading;
    // A run that completed the upload and then crashed before its commit: the file is there.
    if (reading || !exhausted || !(await files.head(row.fileKey))) throw error;
    return await finishExport(ctx, row.id, row.fileKey, {
      ...state,
      rows: state.rows + rows,
      bytes: state.bytes + made,
    });
  }
}

async function finishExport(
  ctx: ProjectContext,
  exportId: string,
  fileKey: string,
  next: Checkpoint,
): Promise<StepResult> {
  const FILES = ctx.files;
  const leftovers = await FILES.list({ prefix: `${fileKey}.rest-` });
  if (leftovers.objects.length) await FILES.delete(leftovers.objects.map((o) => o.key));
  const now = Date.now();
  await ctx.db
    .update(dataExports)
    .set({ rowCount: next.rows, bytes: next.bytes, finishedAt: now })
    .where(eq(dataExports.id, exportId));
  return {
    done: true,
    checkpoint: next,
    processed: next.rows,
    total: next.rows,
    success: next.rows,
    result: { exportId, rows: next.rows, bytes: next.bytes },
  };
}

/** "Export ready" (or failed) for the member who asked; for everyone who may see it when a key did. */
async function notifyExportEnded(ctx: ServiceContext, task: Task, outcome: TaskOutcome): Promise<void> {
  const userId = task.createdBy?.startsWith("usr_") ? task.createdBy : null;
  const rows = Number(task.result?.rows ?? task.processed);
  await notify(
    ctx,
    {
      projectId: task.projectId,
      userId,
      type: outcome === "done" ? "export.ready" : "export.failed",
      title: outcome === "done" ? `Export ready: ${rows.toLocaleString("en-US")} events` : "Export failed",
      body: outcome === "done" ? "Download it from Exports within 7 days." : (task.errors.at(-1)?.message ?? null),
      link: `/p/${task.projectId}/exports/${String(task.params.exportId)}`,
    },
    `${task.id}_${outcome}`,
  );
}

/** Exports as a kind of background task. */
export const exportTask: TaskKind = { step: exportStep, notifyEnded: notifyExportEnded };
