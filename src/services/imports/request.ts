import type { Db } from "../../db/client";
import type { Project, Task } from "../../db/schema";
import { newId } from "../../lib/ids";
import { createTask, enqueueStep } from "../tasks/engine";

export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;
export const IMPORT_TYPES: Record<string, "csv" | "jsonl"> = {
  "text/csv": "csv",
  "application/x-ndjson": "jsonl",
  "application/jsonl": "jsonl",
  "application/json-lines": "jsonl",
};

/** The import format for a Content-Type (parameters such as charset ignored). */
export function importFormat(contentType: string | undefined): "csv" | "jsonl" | undefined {
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
  db: Db,
  env: Env,
  input: {
    project: Project;
    format: "csv" | "jsonl";
    body: ReadableStream | Blob | ArrayBuffer;
    size: number;
    name: string;
    createdBy: string;
  },
  now = Date.now(),
): Promise<Task> {
  const id = newId("tsk", now);
  const fileKey = `${IMPORT_PREFIX}${input.project.id}/${id}.${input.format}`;
  const stored = await env.FILES.put(fileKey, input.body, {
    httpMetadata: { contentType: input.format === "csv" ? "text/csv" : "application/x-ndjson" },
  });
  if (!stored) throw new Error("the upload was not stored");
  let task: Task;
  try {
    task = await createTask(
      db,
      {
        id,
        projectId: input.project.id,
        type: "import",
        params: { fileKey, format: input.format, size: stored.size, name: input.name.slice(0, 200) },
        createdBy: input.createdBy,
      },
      now,
    );
  } catch (error) {
    await env.FILES.delete(fileKey).catch(() => undefined);
    throw error;
  }
  await enqueueStep(env, task.id);
  return task;
}
