import type { Resolver } from "../lib/outbound-url";
import type { ServiceContext } from "../services/context";
import type { WebhookDeliverMessage } from "../services/ingest/fanout";
import { deliverSendout, type Fetcher, giveUpSendout } from "../services/webhooks/deliver";
import { retryDelay } from "./tasks";

/**
 * Makes one delivery attempt of a sendout. The retry schedule is ours: a failed attempt is retried
 * with its own delay, then acked as an error; a delivery that crashed is retried like a task step.
 * From the dead-letter queue the sendout is given up.
 */
export async function handleDeliveryMessage(
  ctx: ServiceContext,
  message: Message<unknown>,
  body: WebhookDeliverMessage,
  deadLetter: boolean,
  outbound: { fetch: Fetcher; resolve: Resolver },
): Promise<void> {
  if (deadLetter) {
    await giveUpSendout(ctx, body.sendoutId);
    message.ack();
    return;
  }
  try {
    const allowPrivate = ctx.config.ENVIRONMENT !== "production";
    const outcome = await deliverSendout(ctx, body, { ...outbound, allowPrivate });
    if (outcome.kind === "retry") {
      message.retry({ delaySeconds: outcome.delaySeconds });
      return;
    }
  } catch (error) {
    console.error(`sendout ${body.sendoutId}: delivery crashed (attempt ${message.attempts})`, error);
    message.retry({ delaySeconds: retryDelay(message.attempts) });
    return;
  }
  message.ack();
}
