import { type ApiKey, type ApiKeyScope, apiKeys } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { InvariantError } from "../../lib/errors";
import { newId, randomToken } from "../../lib/ids";
import { actorId, type ProjectContext } from "../context";
import { API_KEY_PREFIX } from "./authenticate";

/**
 * Creates a key of the context's project; `secret` is returned this once and only its SHA-256 is
 * stored. `publicKey` (base64url Ed25519, see parsePublicKey): the key must then sign every event
 * request it makes (README "Customer-side signatures").
 */
export async function createApiKey(
  ctx: ProjectContext,
  input: { name: string; scope: ApiKeyScope; publicKey?: string | undefined },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = `${API_KEY_PREFIX}${randomToken(32)}`;
  const [key] = await ctx.db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      projectId: ctx.project.id,
      name: input.name,
      scope: input.scope,
      keyHash: await sha256Hex(secret),
      prefix: secret.slice(0, 10),
      createdAt: Date.now(),
      createdBy: actorId(ctx.actor),
      publicKey: input.publicKey ?? null,
    })
    .returning();
  if (!key) throw new InvariantError("insert into api_keys returned no row");
  return { key, secret };
}
