import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { type ApiKeyScope, apiKeys } from "../../src/db/schema";
import type { AppEnv, KeyEnv } from "../../src/env";
import { apiKeyAuth, requireScope } from "../../src/middleware/api-auth";
import { requestContext } from "../../src/middleware/context";
import { problemOnError } from "../../src/middleware/errors";
import { createApiKey } from "../../src/services/keys/create";
import { createTenant, expectJson, expectProblem, projectContext, type Tenant } from "../fixtures";

const db = createDb(env.DB);

/** The request middleware, key auth (and a scope when given), and a handler telling who acts where. */
function probe(scope?: ApiKeyScope) {
  const guarded = new Hono<KeyEnv>().use(apiKeyAuth);
  if (scope) guarded.use(requireScope(scope));
  guarded.get("/", (c) => {
    const { actor, project } = c.var.ctx;
    return c.json({ kind: actor.kind, keyId: actor.key.id, scope: actor.key.scope, projectId: project.id });
  });
  const app = new Hono<AppEnv>().use(requestContext).route("/probe", guarded);
  app.onError(problemOnError);
  return app;
}

async function call(app: Hono<AppEnv>, authorization?: string, execution = createExecutionContext()) {
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  return app.request("/probe", { headers }, env, execution);
}

async function keyId(tenant: Tenant, scope: ApiKeyScope): Promise<string> {
  const [row] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, tenant.project.id), eq(apiKeys.scope, scope)));
  if (!row) throw new Error(`no ${scope} key`);
  return row.id;
}

describe("API key auth", () => {
  it("makes the request's context act as the key, in the key's project", async () => {
    const tenant = await createTenant();
    await createTenant(); // another project, whose keys must not matter
    const seen = await expectJson(await call(probe(), `Bearer ${tenant.keys.read}`), 200);
    expect(seen).toEqual({
      kind: "key",
      keyId: await keyId(tenant, "read"),
      scope: "read",
      projectId: tenant.project.id,
    });
  });

  it("refuses a missing, malformed, unknown or revoked key with a 401 naming the scheme", async () => {
    const tenant = await createTenant();
    const revoked = await createApiKey(projectContext(tenant.project), { name: "old", scope: "admin" });
    await db.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, revoked.key.id));
    for (const authorization of [
      undefined,
      "Basic abc",
      `Bearer`,
      "Bearer tb_not-a-real-key",
      `Bearer ${revoked.secret}`,
    ]) {
      const response = await call(probe(), authorization);
      await expectProblem(response, 401);
      expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="trailbook"');
    }
  });

  it("lets a key do what its scope names, and an admin key everything", async () => {
    const tenant = await createTenant();
    await expectProblem(await call(probe("read"), `Bearer ${tenant.keys.ingest}`), 403);
    await expectProblem(await call(probe("ingest"), `Bearer ${tenant.keys.read}`), 403);
    await expectJson(await call(probe("read"), `Bearer ${tenant.keys.read}`), 200);
    await expectJson(await call(probe("ingest"), `Bearer ${tenant.keys.ingest}`), 200);
    await expectJson(await call(probe("read"), `Bearer ${tenant.keys.admin}`), 200);
    await expectJson(await call(probe("ingest"), `Bearer ${tenant.keys.admin}`), 200);
  });

  it("limits each key's rate with a 429 and Retry-After; other keys carry on", async () => {
    const tenant = await createTenant();
    const app = probe();
    let limited: Response | undefined;
    // The tests' limiter allows 30 requests a minute per key (vitest.config.ts).
    for (let i = 0; i < 40 && !limited; i++) {
      const response = await call(app, `Bearer ${tenant.keys.read}`);
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(200);
    }
    if (!limited) throw new Error("no 429 after 40 requests with a limit of 30");
    await expectProblem(limited, 429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    await expectJson(await call(app, `Bearer ${tenant.keys.admin}`), 200);
  });

  it("records when a key was last used, after the answer", async () => {
    const tenant = await createTenant();
    const id = await keyId(tenant, "ingest");
    const execution = createExecutionContext();
    await expectJson(await call(probe(), `Bearer ${tenant.keys.ingest}`, execution), 200);
    await waitOnExecutionContext(execution);
    const [row] = await db.select({ lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id));
    expect(row?.lastUsedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});
