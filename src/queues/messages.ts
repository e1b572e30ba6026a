import { z } from "zod";

// Queue messages carry ids, never payloads (Queues: 128 KB per message); the rows hold the state.
export const TaskStepMessage = z.object({ kind: z.literal("task.step"), taskId: z.string().min(1).max(64) });
export const WebhookDeliverMessage = z.object({
  kind: z.literal("webhook.deliver"),
  sendoutId: z.string().min(1).max(64),
  trigger: z.enum(["auto", "resend", "recover", "test"]).default("auto"),
});
export const QueueMessage = z.discriminatedUnion("kind", [TaskStepMessage, WebhookDeliverMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;
