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

/** Streams the file into R2, then records the import task and queues its first step. */
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
  const fileKey = `imports/${input.project.id}/${newId("tsk", now).slice(4)}.${input.format}`;
  const stored = await env.FILES.put(fileKey, input.body, {
    httpMetadata: { contentType: input.format === "csv" ? "text/csv" : "application/x-ndjson" },
  });
  if (!stored) throw new Error("the upload was not stored");
  const task = await createTask(
    db,
    {
      projectId: input.project.id,
      type: "import",
      params: { fileKey, format: input.format, size: stored.size, name: input.name.slice(0, 200) },
      createdBy: input.createdBy,
    },
    now,
  );
  await enqueueStep(env, task.id);
  return task;
}
