import { dnsOverHttpsResolver, type Resolver } from "../lib/outbound-url";
import { createContext } from "../services/context";
import type { Fetcher } from "../services/webhooks/deliver";
import { handleDeliveryMessage } from "./deliveries";
import { QueueMessage } from "./messages";
import { handleStreamMessage } from "./streams";
import { handleTaskMessage } from "./tasks";

export const DEAD_LETTER_QUEUE = "trailbook-dead-letters";

/**
 * Each message is handled and acked on its own, with its own service context (the system acts),
 * so one failure never re-runs the others.
 */
export async function handleQueue(
  batch: MessageBatch<unknown>,
  env: Env,
  deps: {
    fetch?: Fetcher;
    resolve?: Resolver;
    waitUntil?: (work: Promise<unknown>) => void;
    /** The clock stream runs read the settled feed by (tests move it on). */
    now?: () => number;
  } = {},
): Promise<void> {
  const fetcher: Fetcher = deps.fetch ?? ((request) => fetch(request));
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
  const deadLetter = batch.queue === DEAD_LETTER_QUEUE;
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
    const ctx = createContext(env, { actor: { kind: "system", name: "queue" }, waitUntil: deps.waitUntil });
    const body = parsed.data;
    if (body.kind === "webhook.deliver")
      await handleDeliveryMessage(ctx, message, body, deadLetter, { fetch: fetcher, resolve });
    else if (body.kind === "stream.run")
      await handleStreamMessage(ctx, message, body, deadLetter, { fetch: fetcher, resolve, now: deps.now });
    else await handleTaskMessage(ctx, message, body, deadLetter);
  }
}
