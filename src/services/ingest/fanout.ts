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
import { randomToken } from "../../lib/ids";
import type { ProjectContext, ServiceContext } from "../context";
import type { PreparedEvent } from "./prepare";

// Fan-out (README "Webhooks"): every stored event that matches an enabled endpoint gets one sendout,
// written in the same D1 batch as the event itself, so a stored event never misses its webhooks.
// The queue messages go out after that batch commits; if sending them fails, the sweep cron finds
// the pending sendouts and sends them. The delivery message is declared here, beside the producer
// of most of them (a resend, a recovery, a test and the sweep send it too).

/** Queue messages carry ids, never payloads (Queues: 128 KB per message); the rows hold the state. */
export const WebhookDeliverMessage = z.object({
  kind: z.literal("webhook.deliver"),
  sendoutId: z.string().min(1).max(64),
  trigger: z.enum(WEBHOOK_TRIGGERS).default("auto"),
});
export type WebhookDeliverMessage = z.infer<typeof WebhookDeliverMessage>;

/** Stable, unguessable sendout ids (`whs_…`), usable as the webhook-id header. */
export function sendoutId(): string {
  return `whs_${randomToken(16)}`;
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

export type Fanout = { statements: D1PreparedStatement[]; ids: string[] };

/** The sendouts of just-prepared events, as statements for the batch that stores the events. */
export function fanoutStatements(
  ctx: ProjectContext,
  endpoints: Endpoint[],
  events: PreparedEvent[],
  now: number,
): Fanout {
  if (events.length === 0 || endpoints.length === 0) return { statements: [], ids: [] };
  const rows: string[][] = [];
  for (const event of events) {
    const [, type, , , , , , , , , , , requestId] = event.columns;
    for (const endpoint of endpoints) {
      if (subscribed(endpoint.eventTypes, type)) rows.push([sendoutId(), endpoint.id, event.id, type, requestId ?? ""]);
    }
  }
  const s = webhookSendouts;
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
  const pending: SendoutStatus = "pending";
  const statements: D1PreparedStatement[] = [];
  // 500 rows of ids per statement keeps each JSON parameter small.
  for (let i = 0; i < rows.length; i += 500) {
    const json = JSON.stringify(rows.slice(i, i + 500));
    statements.push(
      prepared(
        ctx.d1,
        sql`INSERT INTO ${s} (${columns}) SELECT value ->> 0, ${ctx.project.id}, value ->> 1, value ->> 2, value ->> 3, nullif(value ->> 4, ''), ${pending}, 0, ${now}, ${now} FROM json_each(${json})`,
      ),
    );
  }
  return { statements, ids: rows.map((r) => r[0] ?? "") };
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
