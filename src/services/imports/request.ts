import type { ExportFormat, Task } from "../../db/schema";
import { InvariantError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { ProjectContext } from "../context";
import { refuseUnsignedUpload } from "../integrity/client-signatures";
import { createTask, enqueueStep } from "../tasks/engine";

export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;
/** Imports read the formats exports write, so an export can be imported again. */
export const IMPORT_TYPES: Record<string, ExportFormat> = {
  "text/csv": "csv",
  "application/x-ndjson": "jsonl",
  "application/jsonl": "jsonl",
  "application/json-lines": "jsonl",
};

/** The import format for a Content-Type (parameters such as charset ignored). */
export function importFormat(contentType: string | undefined): ExportFormat | undefined {
  return IMPORT_TYPES[(contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? ""];
}

/** Where an import's upload is kept while the import runs; named after its task. */
export const IMPORT_PREFIX = "imports/";

/**
 * Streams the file into R2, then records the import task and queues its first step. The upload is
 * the one place an unredacted copy exists: it is deleted when the import ends (see
 * `deleteTaskUpload`), and right away if the task cannot be recorded.
 */
export async function requestImport(
  ctx: ProjectContext,
  input: {
    format: ExportFormat;
    body: ReadableStream | Blob | ArrayBuffer;
    size: number;
    name: string;
  },
  now = Date.now(),
): Promise<Task> {
  refuseUnsignedUpload(ctx);
  const FILES = ctx.files;
  const id = newId("tsk", now);
  const fileKey = `${IMPORT_PREFIX}${ctx.project.id}/${id}.${input.format}`;
  const stored = await FILES.put(fileKey, input.body, {
    httpMetadata: { contentType: input.format === "csv" ? "text/csv" : "application/x-ndjson" },
  });
  // put() answers null only when an onlyIf condition fails, and none is given here.
  if (!stored) throw new InvariantError("the upload was not stored");
  let task: Task;
  try {
    task = await createTask(
      ctx,
      {
        id,
        type: "import",
        params: { fileKey, format: input.format, size: stored.size, name: input.name.slice(0, 200) },
      },
      now,
    );
  } catch (error) {
    await FILES.delete(fileKey).catch(() => undefined);
    throw error;
  }
  await enqueueStep(ctx, task.id);
  return task;
}
