import type { Resolver } from "../lib/outbound-url";
import type { ServiceContext } from "../services/context";
import { enqueueStreamRun, type StreamRunMessage } from "../services/streams/messages";
import { type Fetcher, LEASE_MS, runStream, testStream } from "../services/streams/run";
import { retryDelay } from "./tasks";

/**
 * Runs a log stream (or its test batch), then sends its next message with the delay the run asks
 * for. A run that crashed is retried after its lease has run out, so the retry can take the stream;
 * a message given up on (dead letters) changes nothing: the sweep cron sends a new one.
 */
export async function handleStreamMessage(
  ctx: ServiceContext,
  message: Message<unknown>,
  body: StreamRunMessage,
  deadLetter: boolean,
  outbound: { fetch: Fetcher; resolve: Resolver; now?: () => number },
): Promise<void> {
  if (deadLetter) {
    console.error(`stream ${body.streamId}: a run message was given up on; the sweep sends a new one`);
    message.ack();
    return;
  }
  try {
    const allowPrivate = ctx.config.ENVIRONMENT !== "production";
    const now = outbound.now?.() ?? Date.now();
    const run = body.test ? testStream : runStream;
    const outcome = await run(
      ctx,
      body.streamId,
      { fetch: outbound.fetch, resolve: outbound.resolve, allowPrivate },
      now,
    );
    if (outcome.kind === "next") await enqueueStreamRun(ctx, body.streamId, { delaySeconds: outcome.delaySeconds });
  } catch (error) {
    console.error(`stream ${body.streamId}: run crashed (attempt ${message.attempts})`, error);
    message.retry({ delaySeconds: Math.max(retryDelay(message.attempts), LEASE_MS / 1000) });
    return;
  }
  message.ack();
}
