import { shardBindings } from "../../db/shard/bindings";
import { readOutbox } from "../../db/shard/write";
import type { ServiceContext } from "../context";
import { type OwedDelivery, relayOutbox } from "../ingest/fanout";

/** Outbox rows older than this were left by a request that died between its batch and its relay. */
export const OUTBOX_STALE_MS = 60_000;
const ROWS_PER_SHARD = 500;

/**
 * Relays the webhook deliveries stored events still owe on every shard (cron): a crash between an
 * ingest batch and its relay leaves them in the shard's outbox, and this makes them sendouts.
 */
export async function relayStrandedOutboxes(ctx: ServiceContext, now = Date.now(), staleAfterMs = OUTBOX_STALE_MS) {
  let relayed = 0;
  for (const { d1 } of shardBindings(ctx.env)) {
    const rows = await readOutbox(d1, now - staleAfterMs, ROWS_PER_SHARD);
    const byProject = new Map<string, OwedDelivery[]>();
    for (const row of rows) byProject.set(row.projectId, [...(byProject.get(row.projectId) ?? []), row]);
    for (const [projectId, owed] of byProject) relayed += (await relayOutbox(ctx, d1, projectId, owed)).length;
  }
  return relayed;
}
