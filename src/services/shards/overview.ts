import { eq } from "drizzle-orm";
import { placements, type Shard, type ShardState, shards } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { knownShards, projectsPerShard } from "./directory";

export type ShardOverview = Shard & { projects: number; full: boolean; closing: boolean };

/** Every bound shard with its state, measured size and projects, for operators. */
export async function shardOverview(ctx: ServiceContext): Promise<ShardOverview[]> {
  const [rows, counts] = await Promise.all([knownShards(ctx), projectsPerShard(ctx)]);
  return rows.map((s) => ({
    ...s,
    projects: counts.get(s.binding) ?? 0,
    closing: s.sizeBytes >= ctx.config.SHARD_CLOSE_BYTES,
    full: s.sizeBytes >= ctx.config.SHARD_FULL_BYTES,
  }));
}

/** An operator opens a shard to new projects, closes it, or marks it draining (to move its projects away). */
export async function setShardState(ctx: ServiceContext, binding: string, state: ShardState): Promise<Shard> {
  await knownShards(ctx);
  const [updated] = await ctx.db.update(shards).set({ state }).where(eq(shards.binding, binding)).returning();
  if (!updated) throw new NotFoundError(`This deployment has no shard ${binding}.`);
  return updated;
}

/** Where a project's events live (operators). */
export async function placementsOn(ctx: ServiceContext, binding: string) {
  return ctx.db
    .select()
    .from(placements)
    .where(eq(placements.shard, binding))
    .orderBy(placements.projectId)
    .limit(1000);
}
