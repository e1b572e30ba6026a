import { dnsOverHttpsResolver, type Resolver } from "../lib/outbound-url";
import { createContext } from "../services/context";
import { enqueueStep, failTask, recordStepError, runTaskStep } from "../services/tasks/engine";
import { TASK_HANDLERS } from "../services/tasks/handlers";
import { deliverSendout, type Fetcher, giveUpSendout } from "../services/webhooks/deliver";
import { QueueMessage } from "./messages";

export const DEAD_LETTER_QUEUE = "trailbook-dead-letters";
/** How long one task message keeps running steps before handing over to the next message. */
export const STEP_TIME_BUDGET_MS = 10_000;

/** Retry delay after the n-th failed attempt: 10 s, 20 s, 40 s … capped at 10 minutes. */
export function retryDelay(attempts: number): number {
  return Math.min(600, 10 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Each message is handled and acked on its own, so one failure never re-runs the others; a failed
 * step is recorded on its task and retried with a delay, and after max_retries the message goes to
 * the dead-letter queue, whose consumer marks the task failed with that reason.
 */
export async function handleQueue(
  batch: MessageBatch<unknown>,
  env: Env,
  deps: { fetch?: Fetcher; resolve?: Resolver; waitUntil?: (work: Promise<unknown>) => void } = {},
): Promise<void> {
  const outboundFetch: Fetcher = deps.fetch ?? ((request) => fetch(request));
  const resolver = deps.resolve ?? dnsOverHttpsResolver((request) => fetch(request));
  // One lookup per host per batch: a batch often holds several sendouts for the same endpoint.
  const lookups = new Map<string, Promise<string[]>>();
  const resolve: Resolver = (name) => {
    let answer = lookups.get(name);
    if (!answer) {
      answer = resolver(name);
      lookups.set(name, answer);
    }
    return answer;
  };
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  for (const message of batch.messages) {
    const parsed = QueueMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(
        `queue ${batch.queue}: dropping a malformed message ${message.id}`,
        JSON.stringify(message.body).slice(0, 500),
      );
      message.ack();
      continue;
    }
    const body = parsed.data;
    // One context per message: the system acts, whoever caused the message.
    const ctx = createContext(env, { actor: { kind: "system", name: "queue" }, waitUntil: deps.waitUntil });
    if (body.kind === "webhook.deliver") {
      if (deadLetters) await giveUpSendout(ctx, body.sendoutId);
      else {
        try {
          // The retry schedule is ours: a failed attempt is retried with its own delay, then acked as error.
          const allowPrivate = ctx.config.ENVIRONMENT !== "production";
          const outbound = { fetch: outboundFetch, resolve, allowPrivate };
          const outcome = await deliverSendout(ctx, body, outbound);
          if (outcome.kind === "retry") {
            message.retry({ delaySeconds: outcome.delaySeconds });
            continue;
          }
        } catch (error) {
          console.error(`sendout ${body.sendoutId}: delivery crashed (attempt ${message.attempts})`, error);
          message.retry({ delaySeconds: retryDelay(message.attempts) });
          continue;
        }
      }
      message.ack();
      continue;
    }
    const { taskId } = body;
    if (deadLetters) {
      await failTask(ctx, taskId, `gave up after ${message.attempts} deliveries`);
      message.ack();
      continue;
    }
    try {
      // Steps are bounded; several run per message while there is time (Workers allow 30 s of CPU
      // by default), so a task is not slowed by a queue hop per step. The next message goes out
      // only when this one stops early.
      const started = Date.now();
      let outcome = await runTaskStep(ctx, taskId, TASK_HANDLERS, { enqueueNext: false });
      while (outcome === "continued" && Date.now() - started < STEP_TIME_BUDGET_MS)
        outcome = await runTaskStep(ctx, taskId, TASK_HANDLERS, { enqueueNext: false });
      if (outcome === "continued") await enqueueStep(ctx, taskId);
      message.ack();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`task ${taskId}: step failed (attempt ${message.attempts}): ${reason}`);
      await recordStepError(ctx, taskId, reason).catch(() => undefined);
      message.retry({ delaySeconds: retryDelay(message.attempts) });
    }
  }
}
