import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { columnList, prepared } from "../../db/raw";
import {
  type SendoutStatus,
  WEBHOOK_TRIGGERS,
  type WebhookTrigger,
  webhookEndpoints,
  webhookSendouts,
} from "../../db/schema";
import { deleteOutboxRows, type OutboxRow } from "../../db/shard/write";
import { base64url, randomToken } from "../../lib/ids";
import type { ProjectContext, ServiceContext } from "../context";
import type { PreparedEvent } from "./prepare";

// Fan-out (README "Webhooks"): every stored event that matches an enabled endpoint owes one
// sendout. The debt is written in the same D1 batch as the event, in its shard's outbox, so a
// stored event never misses its webhooks; right after the batch the outbox rows become sendouts in
// the control database (one per event and endpoint, by a deterministic id, so doing it twice makes
// one), the outbox rows go, and the delivery messages are sent. A crash anywhere in between leaves
// outbox rows or pending sendouts, which the sweep cron relays and sends. The delivery message is
// declared here, beside the producer of most of them (a resend, a recovery, a test and the sweep
// send it too).

/** Queue messages carry ids, never payloads (Queues: 128 KB per message); the rows hold the state. */
export const WebhookDeliverMessage = z.object({
  kind: z.literal("webhook.deliver"),
  sendoutId: z.string().min(1).max(64),
  trigger: z.enum(WEBHOOK_TRIGGERS).default("auto"),
});
export type WebhookDeliverMessage = z.infer<typeof WebhookDeliverMessage>;

/** Stable, unguessable sendout ids (`whs_…`), usable as the webhook-id header (test deliveries). */
export function sendoutId(): string {
  return `whs_${randomToken(16)}`;
}

/** The sendout of one event for one endpoint: the same id however often its outbox row is relayed. */
export async function eventSendoutId(projectId: string, eventId: string, endpointId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${projectId}\n${eventId}\n${endpointId}`),
  );
  return `whs_${base64url(new Uint8Array(digest).subarray(0, 16))}`;
}

/** Whether an endpoint subscribed to a type: `*`, a prefix `commission.*`, or the exact type. */
export function subscribed(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.some((t) => t === "*" || t === type || (t.endsWith(".*") && type.startsWith(t.slice(0, -1))));
}

export type Endpoint = { id: string; eventTypes: string[] };

/** The project's enabled endpoints; ingest reads them in the same round trip as its id lookup. */
export function endpointsQuery(ctx: ProjectContext) {
  return ctx.db
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, ctx.project.id), eq(webhookEndpoints.enabled, true)));
}

/** The deliveries just-prepared events owe, for the outbox of the batch that stores them. */
export function owedDeliveries(endpoints: readonly Endpoint[], events: PreparedEvent[]): OutboxRow[] {
  const rows: OutboxRow[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (subscribed(endpoint.eventTypes, event.type))
        rows.push({ endpointId: endpoint.id, eventId: event.id, eventType: event.type, requestId: event.requestId });
    }
  }
  return rows;
}

/** An outbox row as read back from a shard. */
export type OwedDelivery = OutboxRow & { outboxId: number; createdAt: number };

/**
 * Turns a project's outbox rows into pending sendouts in the control database (a row already
 * relayed is left as it is), deletes the rows from the shard's outbox, and queues the deliveries.
 * Returns the sendout ids.
 */
export async function relayOutbox(ctx: ServiceContext, shard: D1Database, projectId: string, owed: OwedDelivery[]) {
  if (owed.length === 0) return [];
  const s = webhookSendouts;
  const pending: SendoutStatus = "pending";
  const rows = await Promise.all(
    owed.map(async (o) => [
      await eventSendoutId(projectId, o.eventId, o.endpointId),
      o.endpointId,
      o.eventId,
      o.eventType,
      o.requestId ?? "",
      o.createdAt,
    ]),
  );
  const columns = columnList(
    s.id,
    s.projectId,
    s.endpointId,
    s.eventId,
    s.eventType,
    s.requestId,
    s.status,
    s.attempts,
    s.createdAt,
    s.updatedAt,
  );
  // 500 rows per statement keeps each JSON parameter small.
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const json = JSON.stringify(rows.slice(i, i + 500));
    statements.push(
      prepared(
        ctx.d1,
        sql`INSERT INTO ${s} (${columns}) SELECT value ->> 0, ${projectId}, value ->> 1, value ->> 2, value ->> 3, nullif(value ->> 4, ''), ${pending}, 0, value ->> 5, value ->> 5 FROM json_each(${json}) WHERE true ON CONFLICT (${columnList(s.id)}) DO NOTHING`,
      ),
    );
  }
  await ctx.d1.batch(statements);
  await deleteOutboxRows(
    shard,
    owed.map((o) => o.outboxId),
  );
  const ids = rows.map((r) => String(r[0]));
  await enqueueDeliveries(ctx, ids);
  return ids;
}

/** Queues deliveries, 100 messages per sendBatch (the Queues limit). */
export async function enqueueDeliveries(
  ctx: ServiceContext,
  ids: string[],
  trigger: WebhookTrigger = "auto",
  delaySeconds?: number,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const messages = ids.slice(i, i + 100).map((id) => ({
      body: { kind: "webhook.deliver", sendoutId: id, trigger } satisfies WebhookDeliverMessage,
      contentType: "json" as const,
      ...(delaySeconds !== undefined && { delaySeconds }),
    }));
    await ctx.env.WEBHOOKS.sendBatch(messages);
  }
}
