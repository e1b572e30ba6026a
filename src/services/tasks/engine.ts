import { and, eq, inArray, lt } from "drizzle-orm";
import { projects, type Task, type TaskError, type TaskType, tasks } from "../../db/schema";
import { InvariantError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { QueueMessage } from "../../queues/messages";
import { actorId, inProject, type ProjectContext, type ServiceContext } from "../context";
import { notifyTaskEnded } from "./finished";

/** What one bounded step of a task reports; the engine commits it with the checkpoint. */
export type StepResult = {
  done: boolean;
  checkpoint: Record<string, unknown>;
  processed: number;
  total?: number | null;
  success?: number;
  failure?: number;
  errors?: TaskError[];
  result?: Record<string, unknown>;
};

/** One bounded step of a task of the context's project. */
export type TaskHandler = (ctx: ProjectContext, task: Task) => Promise<StepResult>;

const MAX_ERRORS = 1000;
/** A task not advanced for this long has lost its message (a crash between commit and send). */
export const STALE_AFTER_MS = 2 * 60 * 1000;

export async function enqueueStep(ctx: ServiceContext, taskId: string): Promise<void> {
  const message: QueueMessage = { kind: "task.step", taskId };
  await ctx.env.TASKS.send(message, { contentType: "json" });
}

/** Records a task of the context's project, started by its actor. */
export async function createTask(
  ctx: ProjectContext,
  input: {
    /** Made here unless the caller needed it first (an upload named after its task). */
    id?: string;
    type: TaskType;
    params: Record<string, unknown>;
    total?: number | null;
  },
  now = Date.now(),
): Promise<Task> {
  const [task] = await ctx.db
    .insert(tasks)
    .values({
      id: input.id ?? newId("tsk", now),
      projectId: ctx.project.id,
      type: input.type,
      status: "enqueued",
      params: input.params,
      total: input.total ?? null,
      createdBy: actorId(ctx.actor),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!task) throw new InvariantError("insert into tasks returned no row");
  return task;
}

export type StepOutcome = "continued" | "done" | "finished" | "superseded";

/**
 * A task's uploaded input (`params.fileKey`: an import's file) is deleted once the task has ended,
 * done or failed, and only then, so a step resumed after a crash still finds it. R2 deletes are
 * idempotent, so every path that sees the task ended deletes again; the import upload sweep
 * catches a crash between the end and the delete.
 */
export async function deleteTaskUpload(ctx: ServiceContext, task: Task): Promise<void> {
  const key = task.params.fileKey;
  if (task.type === "import" && typeof key === "string") await ctx.env.FILES.delete(key);
}

/**
 * Runs the next step of a task and commits it only if no other run committed that step first
 * (at-least-once delivery: a message delivered twice changes nothing). Sends the message for the
 * following step after the commit; `sweepStaleTasks` re-sends it if that send was lost.
 */
export async function runTaskStep(
  ctx: ServiceContext,
  taskId: string,
  handlers: Record<TaskType, TaskHandler>,
  options: { enqueueNext?: boolean } = {},
): Promise<StepOutcome> {
  const { db } = ctx;
  const [row] = await db
    .select({ task: tasks, project: projects })
    .from(tasks)
    .innerJoin(projects, eq(projects.id, tasks.projectId))
    .where(eq(tasks.id, taskId))
    .limit(1);
  if (!row) return "finished";
  if (row.task.status === "done" || row.task.status === "failed") {
    // The run that ended it may have died between its commit and the notification or the
    // upload's deletion: a message delivered again finishes both (each is idempotent).
    await notifyTaskEnded(ctx, row.task, row.task.status);
    await deleteTaskUpload(ctx, row.task);
    return "finished";
  }
  const { task, project } = row;
  const result = await handlers[task.type](inProject(ctx, project), task);
  const now = Date.now();
  const committed = await db
    .update(tasks)
    .set({
      step: task.step + 1,
      status: result.done ? "done" : "in_progress",
      processed: result.processed,
      total: result.total === undefined ? task.total : result.total,
      successCount: task.successCount + (result.success ?? 0),
      failureCount: task.failureCount + (result.failure ?? 0),
      errors: [...task.errors, ...(result.errors ?? [])].slice(0, MAX_ERRORS),
      checkpoint: result.checkpoint,
      result: result.result ?? task.result,
      lastError: null,
      startedAt: task.startedAt ?? now,
      updatedAt: now,
      finishedAt: result.done ? now : null,
    })
    .where(and(eq(tasks.id, task.id), eq(tasks.step, task.step), inArray(tasks.status, ["enqueued", "in_progress"])))
    .returning();
  const [finished] = committed;
  if (!finished) return "superseded";
  if (result.done) {
    await deleteTaskUpload(ctx, finished);
    await notifyTaskEnded(ctx, finished, "done");
    return "done";
  }
  if (options.enqueueNext !== false) await enqueueStep(ctx, task.id);
  return "continued";
}

/** Runs a task to the end inside this request (small exports that download at once). */
export async function runTaskInline(
  ctx: ServiceContext,
  taskId: string,
  handlers: Record<TaskType, TaskHandler>,
  maxSteps = 50,
): Promise<boolean> {
  for (let i = 0; i < maxSteps; i++) {
    const outcome = await runTaskStep(ctx, taskId, handlers, { enqueueNext: false });
    if (outcome === "done" || outcome === "finished") return true;
  }
  await enqueueStep(ctx, taskId);
  return false;
}

/** Records why a step failed; the queue retries it, and the dead-letter handler gives up. */
export async function recordStepError(ctx: ServiceContext, taskId: string, message: string): Promise<void> {
  await ctx.db
    .update(tasks)
    .set({ lastError: message.slice(0, 1000), updatedAt: Date.now() })
    .where(eq(tasks.id, taskId));
}

export async function failTask(ctx: ServiceContext, taskId: string, reason: string, now = Date.now()): Promise<void> {
  const { db } = ctx;
  const [task] = await db.select().from(tasks).where(eq(tasks.id, taskId)).limit(1);
  if (!task) return;
  if (task.status === "done" || task.status === "failed") {
    if (task.status === "failed") await notifyTaskEnded(ctx, task, "failed"); // once, by its key
    await deleteTaskUpload(ctx, task);
    return;
  }
  const message = task.lastError ? `${reason}: ${task.lastError}` : reason;
  const [failed] = await db
    .update(tasks)
    .set({
      status: "failed",
      finishedAt: now,
      updatedAt: now,
      errors: [...task.errors, { message }].slice(0, MAX_ERRORS),
    })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, ["enqueued", "in_progress"])))
    .returning();
  // Deleted whether this run or a concurrent one marked it failed: the task has ended either way.
  await deleteTaskUpload(ctx, task);
  if (failed) await notifyTaskEnded(ctx, failed, "failed");
}

/** Re-sends the step message of tasks that have not moved for a while (cron). */
export async function sweepStaleTasks(
  ctx: ServiceContext,
  now = Date.now(),
  staleAfterMs = STALE_AFTER_MS,
): Promise<number> {
  const stale = await ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(inArray(tasks.status, ["enqueued", "in_progress"]), lt(tasks.updatedAt, now - staleAfterMs)))
    .limit(100);
  for (const { id } of stale) await enqueueStep(ctx, id);
  return stale.length;
}
