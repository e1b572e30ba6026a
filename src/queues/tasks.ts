import type { TaskType } from "../db/schema";
import type { ServiceContext } from "../services/context";
import { exportTask } from "../services/exports/run";
import { importTask } from "../services/imports/run";
import { retentionTask } from "../services/retention/run";
import { adoptTask } from "../services/shards/adopt";
import { moveTask } from "../services/shards/move";
import {
  enqueueStep,
  failTask,
  recordStepError,
  runTaskStep,
  type TaskKind,
  type TaskStepMessage,
} from "../services/tasks/engine";

/** Every kind of background task, for the queue: the engine itself knows none of them. */
export const TASK_KINDS: Record<TaskType, TaskKind> = {
  export: exportTask,
  import: importTask,
  retention: retentionTask,
  move: moveTask,
  adopt: adoptTask,
};

/** How long one task message keeps running steps before handing over to the next message. */
export const STEP_TIME_BUDGET_MS = 10_000;

/** Retry delay after the n-th failed attempt: 10 s, 20 s, 40 s … capped at 10 minutes. */
export function retryDelay(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Runs steps of a task for one message. A failed step is recorded on its task and retried with a
 * delay; after max_retries the message goes to the dead-letter queue, whose delivery marks the
 * task failed with that reason.
 */
export async function handleTaskMessage(
  ctx: ServiceContext,
  message: Message<unknown>,
  body: TaskStepMessage,
  deadLetter: boolean,
): Promise<void> {
  const { taskId } = body;
  if (deadLetter) {
    await failTask(ctx, { taskId, reason: `gave up after ${message.attempts} deliveries` }, TASK_KINDS);
    message.ack();
    return;
  }
  try {
    // Steps are bounded; several run per message while there is time (Workers allow 30 s of CPU
    // by default), so a task is not slowed by a queue hop per step. The next message goes out
    // only when this one stops early.
    const started = Date.now();
    let outcome = await runTaskStep(ctx, taskId, TASK_KINDS, { enqueueNext: false });
    while (outcome === "continued" && Date.now() - started < STEP_TIME_BUDGET_MS)
      outcome = await runTaskStep(ctx, taskId, TASK_KINDS, { enqueueNext: false });
    if (outcome === "continued") await enqueueStep(ctx, taskId);
    message.ack();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`task ${taskId}: step failed (attempt ${message.attempts}): ${reason}`);
    await recordStepError(ctx, taskId, reason).catch(() => undefined);
    message.retry({ delaySeconds: retryDelay(message.attempts) });
  }
}
