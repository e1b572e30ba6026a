import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { type ApiKey, apiKeys, placements, projects, shards, webhookEndpoints } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import type { ServiceContext } from "../context";
import { cachedGrant, type KeyGrant, noteKeyUsed, rememberGrant } from "../key-cache";

export const API_KEY_PREFIX = "tb_";

/**
 * Finds the live key whose SHA-256 matches, with its project, where its events live and the
 * project's enabled webhook endpoints (one round trip's wait), or what this isolate read for the same key
 * less than KEY_CACHE_MS ago (src/services/key-cache.ts). Looking up by hash compares no secret
 * in our code, so there is no timing side channel to close; keys carry 256 random bits, so no slow
 * hash is needed.
 */
export async function authenticateApiKey(
  ctx: ServiceContext,
  presented: string,
  now = Date.now(),
): Promise<KeyGrant | undefined> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return undefined;
  const keyHash = await sha256Hex(presented);
  const cached = cachedGrant(keyHash, now);
  if (cached) return cached;
  const live = and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt));
  // Side by side rather than one db.batch: drizzle maps a batch's joined rows by column name, and
  // the joined tables share names (id, created_at).
  const [[row], endpoints] = await Promise.all([
    ctx.db
      .select({
        key: apiKeys,
        project: projects,
        placement: { shard: placements.shard, pn: placements.pn, sizeBytes: shards.sizeBytes },
      })
      .from(apiKeys)
      .innerJoin(projects, eq(projects.id, apiKeys.projectId))
      .innerJoin(placements, eq(placements.projectId, projects.id))
      .leftJoin(shards, eq(shards.binding, placements.shard))
      .where(live)
      .limit(1),
    ctx.db
      .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.enabled, true),
          inArray(webhookEndpoints.projectId, ctx.db.select({ id: apiKeys.projectId }).from(apiKeys).where(live)),
        ),
      ),
  ]);
  if (!row) return undefined;
  const grant = { ...row, endpoints };
  rememberGrant(keyHash, grant, now);
  return grant;
}

const TOUCH_INTERVAL_MS = 60_000;

/** Records "last used" at most once a minute per key, so reads do not turn into writes. */
export async function touchApiKey(ctx: ServiceContext, key: ApiKey, now = Date.now()): Promise<void> {
  if (key.lastUsedAt !== null && now - key.lastUsedAt < TOUCH_INTERVAL_MS) return;
  noteKeyUsed(key.id, now);
  await ctx.db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - TOUCH_INTERVAL_MS))),
    );
}
