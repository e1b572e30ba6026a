import type { Db } from "../../db/client";
import { type ApiKey, type ApiKeyScope, apiKeys } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { newId, randomToken } from "../../lib/ids";
import { API_KEY_PREFIX } from "./authenticate";

/** Creates a key; `secret` is returned this once and only its SHA-256 is stored. */
export async function createApiKey(
  db: Db,
  input: { projectId: string; name: string; scope: ApiKeyScope; createdBy?: string },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = `${API_KEY_PREFIX}${randomToken(32)}`;
  const [key] = await db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      projectId: input.projectId,
      name: input.name,
      scope: input.scope,
      keyHash: await sha256Hex(secret),
      prefix: secret.slice(0, 10),
      createdAt: Date.now(),
      createdBy: input.createdBy ?? null,
    })
    .returning();
  if (!key) throw new Error("insert into api_keys returned no row");
  return { key, secret };
}
