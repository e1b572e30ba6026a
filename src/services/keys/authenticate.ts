import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ApiKey, apiKeys, projects } from "../../db/schema";
import type { ApiAuth } from "../../env";
import { sha256Hex } from "../../lib/crypto";

export const API_KEY_PREFIX = "tb_";

/**
 * Finds the live key whose SHA-256 matches. Looking up by hash compares no secret in our code, so
 * there is no timing side channel to close; keys carry 256 random bits, so no slow hash is needed.
 */
export async function authenticateApiKey(db: Db, presented: string): Promise<ApiAuth | undefined> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return undefined;
  const [row] = await db
    .select({ key: apiKeys, project: projects })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(and(eq(apiKeys.keyHash, await sha256Hex(presented)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

const TOUCH_INTERVAL_MS = 60_000;

/** Records "last used" at most once a minute per key, so reads do not turn into writes. */
export async function touchApiKey(db: Db, key: ApiKey, now = Date.now()): Promise<void> {
  if (key.lastUsedAt !== null && now - key.lastUsedAt < TOUCH_INTERVAL_MS) return;
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - TOUCH_INTERVAL_MS))),
    );
}
