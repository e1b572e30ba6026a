import { and, eq, inArray, lt, or } from "drizzle-orm";
import { webhookSendouts } from "../../db/schema";
import { shardBindings } from "../../db/shard/bindings";
import { readOutbox } from "../../db/shard/write";
import type { ServiceContext } from "../context";
import { enqueueDeliveries, type OwedDelivery, relayOutbox } from "../ingest/fanout";

/** A pending sendout untouched this long lost its message (or never had one). */
export const PENDING_STALE_MS = 60_000;
/** A retry this long past its time lost its delayed message. */
export const RETRY_OVERDUE_MS = 10 * 60_000;

/** Outbox rows read per shard and sweep. */
const OUTBOX_SWEEP_ROWS = 500;

/**
 * Relays the webhook outbox rows of every shard that ingest left behind (it died, or the control
 * database failed, between the events' commit and the relay): they become pending sendouts and
 * their messages are sent. Rows younger than `olderThanMs` may be an ingest's relay under way.
 */
export async function relayStrandedOutbox(ctx: ServiceContext, now: number, olderThanMs: number): Promise<number> {
  let relayed = 0;
  for (const { d1 } of shardBindings(ctx.env)) {
    const rows = await readOutbox(d1, now - olderThanMs, OUTBOX_SWEEP_ROWS);
    const byProject = new Map<string, OwedDelivery[]>();
    for (const { projectId, ...row } of rows) byProject.set(projectId, [...(byProject.get(projectId) ?? []), row]);
    for (const [projectId, owed] of byProject) relayed += (await relayOutbox(ctx, d1, projectId, owed)).length;
  }
  return relayed;
}

/**
 * Sends sendouts whose message never went out (written with an event by a path without the queue,
 * or a send that failed after the commit), and retries whose message was lost; then relays outbox
 * rows left on the shards (relayStrandedOutbox), whose messages go out with the relay.
 * `stalledAfterMs` replaces the thresholds when given.
 */
export async function sweepSendouts(ctx: ServiceContext, now = Date.now(), stalledAfterMs?: number): Promise<number> {
  return (
    (await sweepStalledSendouts(ctx, now, stalledAfterMs)) +
    (await relayStrandedOutbox(ctx, now, stalledAfterMs ?? PENDING_STALE_MS))
  );
}

async function sweepStalledSendouts(ctx: ServiceContext, now: number, stalledAfterMs?: number): Promise<number> {
  const { db } = ctx;
  const stale = await db
    .select({ id: webhookSendouts.id })
    .from(webhookSendouts)
    .where(
      or(
        and(
          eq(webhookSendouts.status, "pending"),
          lt(webhookSendouts.updatedAt, now - (stalledAfterMs ?? PENDING_STALE_MS)),
        ),
        and(
          eq(webhookSendouts.status, "retry"),
          lt(webhookSendouts.nextAttemptAt, now - (stalledAfterMs ?? RETRY_OVERDUE_MS)),
        ),
      ),
    )
    .limit(500);
  if (stale.length === 0) return 0;
  const ids = stale.map((s) => s.id);
  // Touched, so the next sweep leaves them to the messages sent now.
  for (let i = 0; i < ids.length; i += 90)
    await db
      .update(webhookSendouts)
      .set({ updatedAt: now })
      .where(inArray(webhookSendouts.id, ids.slice(i, i + 90)));
  await enqueueDeliveries(ctx, ids);
  return stale.length;
}
