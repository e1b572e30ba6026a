import { z } from "zod";
import { WebhookDeliverMessage } from "../services/ingest/fanout";
import { StreamRunMessage } from "../services/streams/messages";
import { TaskStepMessage } from "../services/tasks/engine";

// Each message's schema sits beside its producer; the consumer reads any of them.
export const QueueMessage = z.discriminatedUnion("kind", [TaskStepMessage, WebhookDeliverMessage, StreamRunMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;
