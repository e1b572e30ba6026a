import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { API_KEY_SCOPES, type ApiKey, apiKeys } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import { parsePublicKey } from "../../lib/signing";
import type { MemberContext, ProjectContext } from "../context";
import { logChange } from "../ingest/own-events";
import { forgetProject } from "../key-cache";
import { notify } from "../notifications/notify";
import { createApiKey } from "./create";

export const NewApiKeyInput = z.object({
  name: z.string().trim().min(1, "give the key a name, e.g. where it is used").max(100),
  scope: z.enum(API_KEY_SCOPES, "choose ingest, read or admin"),
  /** Optional: the customer's Ed25519 public key; requests with the key must then be signed. */
  public_key: z
    .string()
    .max(1000)
    .optional()
    .transform((text, ctx) => {
      if (!text?.trim()) return undefined;
      const key = parsePublicKey(text);
      if (!key)
        ctx.addIssue({
          code: "custom",
          message: "not an Ed25519 public key: paste a PEM public key, or its 32 bytes in base64 or hex",
        });
      return key;
    }),
});

export async function listApiKeys(ctx: ProjectContext): Promise<ApiKey[]> {
  return ctx.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.projectId, ctx.project.id))
    .orderBy(desc(apiKeys.createdAt))
    .limit(500);
}

/** Creates a key (the secret is returned this once) and records `api_key.created`. */
export async function issueApiKey(
  ctx: MemberContext,
  input: { name: string; scope: ApiKey["scope"]; public_key?: string | undefined },
): Promise<{ key: ApiKey; secret: string }> {
  const { project } = ctx;
  const created = await createApiKey(ctx, { name: input.name, scope: input.scope, publicKey: input.public_key });
  await logChange(ctx, {
    type: "api_key.created",
    summary: `API key "${input.name}" created with the ${input.scope} scope${input.public_key ? ", signing its requests" : ""}`,
    entity: { type: "api_key", id: created.key.id, name: input.name },
    changes: {
      scope: [null, input.scope],
      prefix: [null, created.key.prefix],
      ...(input.public_key && { signing_public_key: [null, input.public_key] }),
    },
  });
  await notify(
    ctx,
    {
      projectId: project.id,
      type: "security.api_key",
      title: `API key "${input.name}" (${input.scope}) created by ${ctx.actor.user.email}`,
      link: `/p/${project.id}/settings/api-keys`,
    },
    `key_created_${created.key.id}`,
  );
  return created;
}

export async function revokeApiKey(ctx: MemberContext, keyId: string): Promise<ApiKey> {
  const { project } = ctx;
  const now = Date.now();
  const [key] = await ctx.db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.projectId, project.id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!key) throw new NotFoundError("No active API key with this id in this project.");
  forgetProject(project.id);
  await logChange(ctx, {
    type: "api_key.revoked",
    summary: `API key "${key.name}" revoked`,
    entity: { type: "api_key", id: key.id, name: key.name },
    changes: { revoked_at: [null, new Date(now).toISOString()] },
  });
  await notify(
    ctx,
    {
      projectId: project.id,
      type: "security.api_key",
      title: `API key "${key.name}" revoked by ${ctx.actor.user.email}`,
      link: `/p/${project.id}/settings/api-keys`,
    },
    `key_revoked_${key.id}`,
  );
  return key;
}
