import { and, eq, inArray, lt, or } from "drizzle-orm";
import { webhookSendouts } from "../../db/schema";
import type { ServiceContext } from "../context";
import { enqueueDeliveries } from "../ingest/fanout";

/** A pending sendout untouched this long lost its message (or never had one). */
export const PENDING_STALE_MS = 60_000;
/** A retry this long past its time lost its delayed message. */
export const RETRY_OVERDUE_MS = 10 * 60_000;

/**
 * Sends sendouts whose message never went out (written with an event by a path without the queue,
 * or a send that failed after the commit), and retries whose message was lost. `stalledAfterMs`
 * replaces both thresholds when given.
 */
export async function sweepSendouts(ctx: ServiceContext, now = Date.now(), stalledAfterMs?: number): Promise<number> {
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
