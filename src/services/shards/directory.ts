import { eq, sql } from "drizzle-orm";
import { placements, type Shard, shards } from "../../db/schema";
import { shardBindings } from "../../db/shard/bindings";
import type { ServiceContext } from "../context";

/**
 * The shards table as this deployment binds it: a row for every EVENTS_* binding (added the first
 * time it is seen, open, in the region its name gives), and only bound shards returned.
 */
export async function knownShards(ctx: ServiceContext, now = Date.now()): Promise<Shard[]> {
  const bound = shardBindings(ctx.env);
  if (bound.length === 0) return [];
  await ctx.db
    .insert(shards)
    .values(bound.map((b) => ({ binding: b.binding, region: b.region, createdAt: now })))
    .onConflictDoNothing();
  const names = new Set(bound.map((b) => b.binding));
  const rows = await ctx.db.select().from(shards).orderBy(shards.binding);
  return rows.filter((r) => names.has(r.binding));
}

/**
 * Records a shard's size as D1 reported it (`meta.size_after` of any statement), and closes it to
 * new projects above SHARD_CLOSE_BYTES. An operator's `draining` stays as it is.
 */
export async function noteShardSize(
  ctx: ServiceContext,
  binding: string,
  sizeBytes: number,
  now = Date.now(),
): Promise<void> {
  const closing = sizeBytes >= ctx.config.SHARD_CLOSE_BYTES;
  await ctx.db
    .update(shards)
    .set({
      sizeBytes,
      measuredAt: now,
      ...(closing && { state: sql`CASE WHEN ${shards.state} = 'open' THEN 'closed' ELSE ${shards.state} END` }),
    })
    .where(eq(shards.binding, binding));
}

/** Measures every bound shard (cron): a trivial statement's meta carries the database's size. */
export async function measureShards(ctx: ServiceContext, now = Date.now()): Promise<Record<string, number>> {
  await knownShards(ctx, now);
  const sizes: Record<string, number> = {};
  for (const { binding, d1 } of shardBindings(ctx.env)) {
    const result = await d1.prepare("SELECT 1").run();
    const size = result.meta.size_after;
    if (typeof size !== "number") continue;
    sizes[binding] = size;
    await noteShardSize(ctx, binding, size, now);
  }
  return sizes;
}

/** How many projects each shard is home to. */
export async function projectsPerShard(ctx: ServiceContext): Promise<Map<string, number>> {
  const rows = await ctx.db
    .select({ shard: placements.shard, n: sql<number>`count(*)` })
    .from(placements)
    .groupBy(placements.shard);
  return new Map(rows.map((r) => [r.shard, r.n]));
}
