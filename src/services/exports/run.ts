import { eq } from "drizzle-orm";
import { dataExports, type ExportRow, type Task } from "../../db/schema";
import { InvariantError } from "../../lib/errors";
import type { ProjectContext, ServiceContext } from "../context";
import { compileFilters, type EventQuery, scopeForAccess } from "../events/filters";
import { notify } from "../notifications/notify";
import type { StepResult, TaskKind, TaskOutcome } from "../tasks/engine";
import { csvHeader, csvLine, jsonLine } from "./format";
import { readExportPages } from "./read";

/** R2's smallest part (all but the last). */
export const PART_SIZE = 5 * 1024 * 1024;

/**
 * Parts one step makes before it checkpoints, so the most it holds in memory is this many parts and
 * a page of rows: each step ends by carrying its bytes past the last whole part through R2, and at
 * one part a step those carries were a tenth of a large export's time.
 */
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
    limits: row.scope.limits,
    hiddenCategories: row.scope.hiddenCategories,
  });
}

/**
 * One step of an export: the first opens the multipart upload and counts the rows; each next one
 * reads pages of events from the keyset cursor until it has PARTS_PER_STEP parts' worth, uploads
 * them as the next parts and checkpoints the cursor; the last completes the upload. A repeated
 * step re-uploads the same part numbers with the same bytes, so nothing is duplicated.
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
  // repeated step reads and writes the same names, so nothing doubles).
  const part = new PartBuffer(row.gzip, await carriedBytes(files, state.rest));
  if (state.rows === 0 && state.parts.length === 0 && !state.rest && row.format === "csv")
    await part.write(csvHeader());
  let cursor = state.cursor ?? null;
  let rows = 0;
  let exhausted = true;
  for await (const page of readExportPages(ctx, query, cursor)) {
    if (page.events.length > 0) {
      await part.write(row.format === "csv" ? page.events.map(csvLine).join("") : page.events.map(jsonLine).join(""));
      rows += page.events.length;
    }
    cursor = page.cursor;
    if (cursor && part.size >= PARTS_PER_STEP * PART_SIZE) {
      exhausted = false;
      break;
    }
  }
  const output = await part.finish();
  const made = output.byteLength - part.carried;

  const upload = files.resumeMultipartUpload(row.fileKey, state.uploadId);
  const parts = [...state.parts];
  let offset = 0;
  try {
    while (output.byteLength - offset >= PART_SIZE) {
      parts.push(await upload.uploadPart(parts.length + 1, output.subarray(offset, offset + PART_SIZE)));
      offset += PART_SIZE;
    }
    const remainder = output.subarray(offset);
    const next: Checkpoint = {
      uploadId: state.uploadId,
      cursor,
      parts,
      rows: state.rows + rows,
      bytes: state.bytes + made,
      largestPart: Math.max(state.largestPart ?? 0, output.byteLength),
      rest: null,
    };
    if (!exhausted) {
      if (remainder.byteLength > 0) {
        next.rest = `${row.fileKey}.rest-${parts.length}`;
        await files.put(next.rest, remainder);
      }
      return { done: false, checkpoint: next, processed: next.rows };
    }
    if (remainder.byteLength > 0 || parts.length === 0)
      parts.push(await upload.uploadPart(parts.length + 1, remainder));
    await upload.complete(parts);
    return await finishExport(ctx, row.id, row.fileKey, next);
  } catch (error) {
    // A run that completed the upload and then crashed before its commit: the file is there.
    if (!exhausted || !(await files.head(row.fileKey))) throw error;
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
