import { and, eq, inArray, isNotNull, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import {
  ENDED_TASK_STATUSES,
  OPEN_TASK_STATUSES,
  placements,
  projects,
  type Task,
  type TaskError,
  type TaskType,
  tasks,
} from "../../db/schema";
import { InvariantError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { actorId, inProject, type ProjectContext, type ServiceContext } from "../context";

// The engine of background tasks (exports, imports, retention runs). It knows no kind of task:
// each kind hands it a TaskKind, and the queue consumer composes them into one registry.

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

export type TaskOutcome = "done" | "failed";

/** What the engine needs of a kind of task. */
export type TaskKind = {
  /** One bounded step of a task of the context's project. */
  step: (ctx: ProjectContext, task: Task) => Promise<StepResult>;
  /** Tells whoever started the task that it ended; keyed by task and outcome, so a repeat adds nothing. */
  notifyEnded: (ctx: ServiceContext, task: Task, outcome: TaskOutcome) => Promise<void>;
  /** Removes what the task kept only while it ran (an import's upload); safe to run again. */
  release?: (ctx: ServiceContext, task: Task) => Promise<void>;
};

/** The kinds a caller can run: the queue every kind, an inline run only its own. */
export type TaskKinds = Partial<Record<TaskType, TaskKind>>;

function kindOf(kinds: TaskKinds, task: Task): TaskKind {
  const kind = kinds[task.type];
  if (!kind) throw new InvariantError(`no handler for tasks of type ${task.type}`);
  return kind;
}

const MAX_ERRORS = 1000;
/** A task not advanced for this long has lost its message (a crash between commit and send). */
export const STALE_AFTER_MS = 2 * 60 * 1000;

/** The message that runs a task's next steps. Ids, never payloads (Queues: 128 KB per message). */
export const TaskStepMessage = z.object({ kind: z.literal("task.step"), taskId: z.string().min(1).max(64) });
export type TaskStepMessage = z.infer<typeof TaskStepMessage>;

export async function enqueueStep(ctx: ServiceContext, taskId: string): Promise<void> {
  const message: TaskStepMessage = { kind: "task.step", taskId };
  await ctx.env.TASKS.send(message, { contentType: "json" });
}

/**
 * A new task of the context's project, started by its actor, as a row to insert: a caller that
 * writes other rows with it (an export) puts it in the same batch.
 */
export function newTask(
  ctx: ProjectContext,
  input: {
    /** Made here unless the caller needed it first (an upload named after its task). */
    id?: string;
    type: TaskType;
    params: Record<string, unknown>;
    total?: number | null;
  },
  now = Date.now(),
): Task {
  return {
    id: input.id ?? newId("tsk", now),
    projectId: ctx.project.id,
    type: input.type,
    status: "enqueued",
    step: 0,
    processed: 0,
    total: input.total ?? null,
    successCount: 0,
    failureCount: 0,
    params: input.params,
    checkpoint: null,
    result: null,
    errors: [],
    lastError: null,
    createdBy: actorId(ctx.actor),
    createdAt: now,
    startedAt: null,
    updatedAt: now,
    finishedAt: null,
    toldAt: null,
  };
}

/** Records a task of the context's project, started by its actor. */
export async function createTask(
  ctx: ProjectContext,
  input: Parameters<typeof newTask>[1],
  now = Date.now(),
): Promise<Task> {
  const task = newTask(ctx, input, now);
  await ctx.db.insert(tasks).values(task);
  return task;
}

export type StepOutcome = "continued" | "done" | "finished" | "superseded";

/**
 * What follows a task's end, done or failed: its people are told, its leftovers removed, and then
 * it is marked told. Each part is idempotent, so a run that died half way is finished by the next
 * message, which the sweep sends for a task that ended untold.
 */
async function ended(ctx: ServiceContext, kind: TaskKind, task: Task) {
  if (task.status !== "done" && task.status !== "failed") return;
  await kind.notifyEnded(ctx, task, task.status);
  await kind.release?.(ctx, task);
  if (task.toldAt === null) await ctx.db.update(tasks).set({ toldAt: Date.now() }).where(eq(tasks.id, task.id));
}

/**
 * Runs the next step of a task and commits it only if no other run committed that step first
 * (at-least-once delivery: a message delivered twice changes nothing). Sends the message for the
 * following step after the commit; `sweepStaleTasks` re-sends it if that send was lost.
 */
export async function runTaskStep(
  ctx: ServiceContext,
  taskId: string,
  kinds: TaskKinds,
  options: { enqueueNext?: boolean } = {},
): Promise<StepOutcome> {
  const { db } = ctx;
  const [row] = await db
    .select({ task: tasks, project: projects, placement: { shard: placements.shard, pn: placements.pn } })
    .from(tasks)
    .innerJoin(projects, eq(projects.id, tasks.projectId))
    .innerJoin(placements, eq(placements.projectId, projects.id))
    .where(eq(tasks.id, taskId))
    .limit(1);
  if (!row) return "finished";
  const kind = kindOf(kinds, row.task);
  if (row.task.status === "done" || row.task.status === "failed") {
    // The run that ended it may have died between its commit and the notification or the
    // upload's deletion: a message delivered again finishes both.
    await ended(ctx, kind, row.task);
    return "finished";
  }
  const { task, project, placement } = row;
  const result = await kind.step(inProject(ctx, project, placement), task);
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
    .where(and(eq(tasks.id, task.id), eq(tasks.step, task.step), inArray(tasks.status, OPEN_TASK_STATUSES)))
    .returning();
  const [finished] = committed;
  if (!finished) return "superseded";
  if (result.done) {
    await ended(ctx, kind, finished);
    return "done";
  }
  if (options.enqueueNext !== false) await enqueueStep(ctx, task.id);
  return "continued";
}

/** Runs a task of one of `kinds` to the end inside this request (small exports that download at once). */
export async function runTaskInline(
  ctx: ServiceContext,
  taskId: string,
  kinds: TaskKinds,
  maxSteps = 50,
): Promise<boolean> {
  for (let i = 0; i < maxSteps; i++) {
    const outcome = await runTaskStep(ctx, taskId, kinds, { enqueueNext: false });
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

/** Marks a task failed (its messages were given up on), with the last step's error. */
export async function failTask(
  ctx: ServiceContext,
  input: { taskId: string; reason: string },
  kinds: TaskKinds,
  now = Date.now(),
): Promise<void> {
  const { db } = ctx;
  const [task] = await db.select().from(tasks).where(eq(tasks.id, input.taskId)).limit(1);
  if (!task) return;
  const kind = kindOf(kinds, task);
  if (task.status === "done" || task.status === "failed") {
    await ended(ctx, kind, task);
    return;
  }
  const message = task.lastError ? `${input.reason}: ${task.lastError}` : input.reason;
  const [failed] = await db
    .update(tasks)
    .set({
      status: "failed",
      finishedAt: now,
      updatedAt: now,
      errors: [...task.errors, { message }].slice(0, MAX_ERRORS),
    })
    .where(and(eq(tasks.id, input.taskId), inArray(tasks.status, OPEN_TASK_STATUSES)))
    .returning();
  // Released whether this run or a concurrent one marked it failed: the task has ended either way.
  if (failed) await ended(ctx, kind, failed);
  else await kind.release?.(ctx, task);
}

/** Tasks that have not moved for a while, and tasks that ended without being told (at most 100). */
export async function staleTasks(ctx: ServiceContext, now = Date.now(), staleAfterMs = STALE_AFTER_MS) {
  const before = now - staleAfterMs;
  return await ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      or(
        and(inArray(tasks.status, OPEN_TASK_STATUSES), lt(tasks.updatedAt, before)),
        and(isNull(tasks.toldAt), isNotNull(tasks.finishedAt), lt(tasks.finishedAt, before)),
      ),
    )
    .limit(100);
}

/** Re-sends the step message of stale tasks (cron): the message finishes what the lost one did not. */
export async function sweepStaleTasks(
  ctx: ServiceContext,
  now = Date.now(),
  staleAfterMs = STALE_AFTER_MS,
): Promise<number> {
  const stale = await staleTasks(ctx, now, staleAfterMs);
  for (const { id } of stale) await enqueueStep(ctx, id);
  return stale.length;
}

/** Whether a task has ended, done or failed. */
export function hasEnded(task: Pick<Task, "status">): boolean {
  return (ENDED_TASK_STATUSES as readonly string[]).includes(task.status);
}
