import { and, eq, isNull, lt, or } from "drizzle-orm";
import { type ApiKey, apiKeys, type Project, placements, projects, shards } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import type { PlacementRef, ServiceContext } from "../context";

export const API_KEY_PREFIX = "tb_";

/**
 * Finds the live key whose SHA-256 matches, with its project and where its events live. Looking up by hash compares no secret
 * in our code, so there is no timing side channel to close; keys carry 256 random bits, so no slow
 * hash is needed.
 */
export async function authenticateApiKey(
  ctx: ServiceContext,
  presented: string,
): Promise<{ key: ApiKey; project: Project; placement: PlacementRef } | undefined> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return undefined;
  const [row] = await ctx.db
    .select({
      key: apiKeys,
      project: projects,
      placement: { shard: placements.shard, pn: placements.pn, sizeBytes: shards.sizeBytes },
    })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .innerJoin(placements, eq(placements.projectId, projects.id))
    .leftJoin(shards, eq(shards.binding, placements.shard))
    .where(and(eq(apiKeys.keyHash, await sha256Hex(presented)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

const TOUCH_INTERVAL_MS = 60_000;

/** Records "last used" at most once a minute per key, so reads do not turn into writes. */
export async function touchApiKey(ctx: ServiceContext, key: ApiKey, now = Date.now()): Promise<void> {
  if (key.lastUsedAt !== null && now - key.lastUsedAt < TOUCH_INTERVAL_MS) return;
  await ctx.db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - TOUCH_INTERVAL_MS))),
    );
}
