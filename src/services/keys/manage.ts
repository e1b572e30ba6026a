import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { API_KEY_SCOPES, type ApiKey, apiKeys, type Project, type User } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import { actorOf, logOwnEvent, type Origin, requestOf } from "../audit/log-own";
import { notify } from "../notifications/notify";
import { createApiKey } from "./create";

export const NewApiKeyInput = z.object({
  name: z.string().trim().min(1, "give the key a name, e.g. where it is used").max(100),
  scope: z.enum(API_KEY_SCOPES, "choose ingest, read or admin"),
});

export async function listApiKeys(db: Db, projectId: string): Promise<ApiKey[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.projectId, projectId)).orderBy(desc(apiKeys.createdAt)).limit(500);
}

/** Creates a key (the secret is returned this once) and records `api_key.created`. */
export async function issueApiKey(
  db: Db,
  d1: D1Database,
  input: { project: Project; name: string; scope: ApiKey["scope"]; user: User; origin: Origin },
): Promise<{ key: ApiKey; secret: string }> {
  const created = await createApiKey(db, {
    projectId: input.project.id,
    name: input.name,
    scope: input.scope,
    createdBy: input.user.id,
  });
  await logOwnEvent(d1, [input.project], {
    category: "configuration",
    type: "api_key.created",
    status: "success",
    summary: `API key "${input.name}" created with the ${input.scope} scope`,
    actor: actorOf(input.user),
    source: "dashboard",
    entity: { type: "api_key", id: created.key.id, name: input.name },
    changes: { scope: [null, input.scope], prefix: [null, created.key.prefix] },
    request: requestOf(input.origin),
  });
  await notify(
    db,
    {
      projectId: input.project.id,
      type: "security.api_key",
      title: `API key "${input.name}" (${input.scope}) created by ${input.user.email}`,
      link: `/p/${input.project.id}/settings/api-keys`,
    },
    `key_created_${created.key.id}`,
  );
  return created;
}

export async function revokeApiKey(
  db: Db,
  d1: D1Database,
  input: { project: Project; keyId: string; user: User; origin: Origin },
): Promise<ApiKey> {
  const now = Date.now();
  const [key] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, input.keyId), eq(apiKeys.projectId, input.project.id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!key) throw new NotFoundError("No active API key with this id in this project.");
  await logOwnEvent(d1, [input.project], {
    category: "configuration",
    type: "api_key.revoked",
    status: "success",
    summary: `API key "${key.name}" revoked`,
    actor: actorOf(input.user),
    source: "dashboard",
    entity: { type: "api_key", id: key.id, name: key.name },
    changes: { revoked_at: [null, new Date(now).toISOString()] },
    request: requestOf(input.origin),
  });
  await notify(
    db,
    {
      projectId: input.project.id,
      type: "security.api_key",
      title: `API key "${key.name}" revoked by ${input.user.email}`,
      link: `/p/${input.project.id}/settings/api-keys`,
    },
    `key_revoked_${key.id}`,
  );
  return key;
}
