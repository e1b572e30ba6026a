import { and, eq, sql } from "drizzle-orm";
import type { WebhookSendout } from "../../db/schema";
import { events } from "../../db/shard/schema";
import type { EventStore } from "../context";
import { LIST_COLUMNS, type ListRow, toStoredEvent } from "../events/query";

// A sendout's body is built at each attempt from the stored event and the attempt's time: events
// never change, so the body an attempt sent is rebuilt exactly from its start time (which is also
// its `webhook-timestamp`), and nothing of it needs storing twice (README "Webhooks").

/** The body of a delivery: its exact text, as signed and sent. */
export function webhookBody(type: string, at: number, data: unknown): string {
  return JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });
}

/** What a test delivery carries. */
export function testData(sendout: Pick<WebhookSendout, "id">): unknown {
  return { message: "A test delivery from Trailbook.", sendout_id: sendout.id };
}

/**
 * The body of `sendout` sent (or to be sent) at `at`, from the project's event store; undefined when
 * its event is no longer stored (retention).
 */
export async function sendoutBody(store: EventStore, sendout: WebhookSendout, at: number): Promise<string | undefined> {
  if (sendout.eventType === "webhook.test") {
    return webhookBody("webhook.test", at, testData(sendout));
  }
  const [event] = await store.db.all<ListRow>(
    sql`SELECT ${LIST_COLUMNS} FROM ${events} WHERE ${and(eq(events.pn, store.pn), eq(events.id, sendout.eventId))} LIMIT 1`,
  );
  return event && webhookBody(sendout.eventType, at, toStoredEvent(event));
}
