import type { ServiceContext } from "../context";
import type { PreparedEvent } from "../events/prepare";
import { sendoutId, subscribed } from "./signature";

// Fan-out (DESIGN §8): every stored event that matches an enabled endpoint gets one sendout,
// written in the same D1 batch as the event itself, so a stored event never misses its webhooks.
// The queue messages go out after that batch commits; if sending them fails, the task sweep cron
// finds the pending sendouts and sends them.

const INSERT_SENDOUTS = `INSERT INTO webhook_sendouts (id, project_id, endpoint_id, event_id, event_type, request_id, status, attempts, created_at, updated_at)
SELECT value ->> 0, ?1, value ->> 1, value ->> 2, value ->> 3, nullif(value ->> 4, ''), 'pending', 0, ?2, ?2 FROM json_each(?3)`;

export type Endpoint = { id: string; event_types: string };

/** The project's enabled endpoints; record.ts reads them in the same round trip as its id lookup. */
export function endpointsStatement(db: D1Database, projectId: string): D1PreparedStatement {
  return db
    .prepare("SELECT id, event_types FROM webhook_endpoints WHERE project_id = ?1 AND enabled = 1")
    .bind(projectId);
}

export type Fanout = { statements: D1PreparedStatement[]; ids: string[] };

export function fanoutStatements(
  db: D1Database,
  projectId: string,
  enabled: Endpoint[],
  events: PreparedEvent[],
  now: number,
): Fanout {
  if (events.length === 0 || enabled.length === 0) return { statements: [], ids: [] };
  const endpoints = enabled.map((e) => ({ id: e.id, types: JSON.parse(e.event_types) as string[] }));
  const rows: string[][] = [];
  for (const event of events) {
    const [, type, , , , , , , , , , , requestId] = event.columns;
    for (const endpoint of endpoints) {
      if (subscribed(endpoint.types, type)) rows.push([sendoutId(), endpoint.id, event.id, type, requestId ?? ""]);
    }
  }
  const statements: D1PreparedStatement[] = [];
  // 500 rows of ids per statement keeps each JSON parameter small.
  for (let i = 0; i < rows.length; i += 500)
    statements.push(db.prepare(INSERT_SENDOUTS).bind(projectId, now, JSON.stringify(rows.slice(i, i + 500))));
  return { statements, ids: rows.map((r) => r[0] ?? "") };
}

export type WebhookMessage = {
  kind: "webhook.deliver";
  sendoutId: string;
  trigger: "auto" | "resend" | "recover" | "test";
};

/** Queues deliveries, 100 messages per sendBatch (the Queues limit). */
export async function enqueueDeliveries(
  ctx: ServiceContext,
  ids: string[],
  trigger: WebhookMessage["trigger"] = "auto",
  delaySeconds?: number,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const messages = ids.slice(i, i + 100).map((id) => ({
      body: { kind: "webhook.deliver", sendoutId: id, trigger } satisfies WebhookMessage,
      contentType: "json" as const,
      ...(delaySeconds !== undefined && { delaySeconds }),
    }));
    await ctx.env.WEBHOOKS.sendBatch(messages);
  }
}
