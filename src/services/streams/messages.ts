import { z } from "zod";
import type { ServiceContext } from "../context";

/**
 * One message per stream runs it: it delivers what is ready, then sends the next message with a
 * delay (the stream's interval when caught up, the retry delay after a failure). Ids, never
 * payloads. `test` sends one synthetic batch instead, outside the cursor.
 */
export const StreamRunMessage = z.object({
  kind: z.literal("stream.run"),
  streamId: z.string().min(1).max(64),
  test: z.boolean().default(false),
});
export type StreamRunMessage = z.infer<typeof StreamRunMessage>;

/** Stream runs share the deliveries queue (WEBHOOKS) with webhook sendouts. */
export async function enqueueStreamRun(
  ctx: ServiceContext,
  streamId: string,
  options: { test?: boolean; delaySeconds?: number } = {},
): Promise<void> {
  const body: StreamRunMessage = { kind: "stream.run", streamId, test: options.test ?? false };
  await ctx.env.WEBHOOKS.send(body, {
    contentType: "json",
    ...(options.delaySeconds ? { delaySeconds: Math.min(43_200, Math.max(0, Math.round(options.delaySeconds))) } : {}),
  });
}
