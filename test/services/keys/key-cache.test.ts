import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, users, webhookEndpoints, webhookSendouts } from "../../../src/db/schema";
import { sha256Hex } from "../../../src/lib/crypto";
import type { MemberContext } from "../../../src/services/context";
import { recordEvents } from "../../../src/services/ingest/record";
import { KEY_CACHE_MS } from "../../../src/services/key-cache";
import { authenticateApiKey } from "../../../src/services/keys/authenticate";
import { createApiKey } from "../../../src/services/keys/create";
import { revokeApiKey } from "../../../src/services/keys/manage";
import { createEndpoint } from "../../../src/services/webhooks/endpoints";
import {
  api,
  createMember,
  createTenant,
  expectJson,
  expectProblem,
  projectContext,
  storedEvents,
  systemContext,
} from "../../fixtures";

const db = systemContext().db;

/** Revokes a key straight in the control database, as a request served by another isolate does. */
async function revokeElsewhere(secret: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(eq(apiKeys.keyHash, await sha256Hex(secret)));
}

describe("API keys checked once per isolate for a short time", () => {
  it("refuses a key revoked in another isolate once the cache time has passed, and at once when revoked here", async () => {
    const tenant = await createTenant();
    const ctx = systemContext();
    const now = Date.now();
    const { secret } = await createApiKey(projectContext(tenant.project), { name: "elsewhere", scope: "ingest" });
    expect(await authenticateApiKey(ctx, secret, now)).toBeDefined();
    await revokeElsewhere(secret);
    // What this isolate read stands for KEY_CACHE_MS, never longer.
    expect(await authenticateApiKey(ctx, secret, now + KEY_CACHE_MS - 1)).toBeDefined();
    expect(await authenticateApiKey(ctx, secret, now + KEY_CACHE_MS)).toBeUndefined();
    expect(await authenticateApiKey(ctx, secret, now + KEY_CACHE_MS - 1)).toBeUndefined();

    // Revoked through Trailbook in this isolate: refused on the very next request.
    const owner = await createMember(tenant, "owner");
    const [user] = await db.select().from(users).where(eq(users.id, owner.userId));
    if (!user) throw new Error("no user row for the owner");
    const { key, secret: here } = await createApiKey(projectContext(tenant.project), { name: "here", scope: "ingest" });
    await expectJson(await api("POST", "/v1/events", { key: here, body: { type: "a.b" } }), 201);
    const memberCtx = projectContext(tenant.project, env, {
      kind: "member",
      user,
      access: { role: "owner", organizationId: null },
    }) as MemberContext;
    await revokeApiKey(memberCtx, key.id);
    await expectProblem(await api("POST", "/v1/events", { key: here, body: { type: "a.c" } }), 401);
    const types = (await storedEvents(tenant.project.id)).map((e) => String(e.type));
    expect(types.filter((t) => t.startsWith("a."))).toEqual(["a.b"]);
  });

  it("enforces a cached key's scope on every request", async () => {
    const tenant = await createTenant();
    await expectJson(await api("GET", "/v1/events", { key: tenant.keys.read }), 200);
    for (let i = 0; i < 3; i++) {
      await expectProblem(await api("POST", "/v1/events", { key: tenant.keys.read, body: { type: "a.b" } }), 403);
      await expectProblem(await api("GET", "/v1/events", { key: tenant.keys.ingest }), 403);
      await expectJson(await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { type: "a.b" } }), 201);
    }
    expect(await storedEvents(tenant.project.id)).toHaveLength(3);
  });

  it("never serves one project's key for another's, whatever was cached before", async () => {
    const one = await createTenant();
    const two = await createTenant();
    for (let round = 0; round < 2; round++) {
      for (const [tenant, name] of [
        [one, "one"],
        [two, "two"],
      ] as const) {
        await expectJson(
          await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: `${name}_${round}`, type: "a.b" } }),
          201,
        );
        const seen = await authenticateApiKey(systemContext(), tenant.keys.admin);
        expect(seen?.project.id).toBe(tenant.project.id);
        expect(seen?.key.projectId).toBe(tenant.project.id);
      }
    }
    expect((await storedEvents(one.project.id)).map((e) => e.id).sort()).toEqual(["one_0", "one_1"]);
    expect((await storedEvents(two.project.id)).map((e) => e.id).sort()).toEqual(["two_0", "two_1"]);
    // An id one project stored is new to the other: neither a duplicate nor a conflict there.
    const answer = await expectJson<{ duplicate: boolean }>(
      await api("POST", "/v1/events", { key: two.keys.ingest, body: { id: "one_0", type: "x.y" } }),
      201,
    );
    expect(answer.duplicate).toBe(false);
  });

  it("fans out to an endpoint added here at once, and to one added elsewhere within the cache time", async () => {
    const tenant = await createTenant();
    const sendouts = async () =>
      (
        await db
          .select({ eventId: webhookSendouts.eventId })
          .from(webhookSendouts)
          .where(eq(webhookSendouts.projectId, tenant.project.id))
      )
        .map((s) => s.eventId)
        .sort();
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e0", type: "a.b" } }),
      201,
    );
    await createEndpoint(projectContext(tenant.project), {
      url: "https://receiver.example/hooks",
      description: "",
      event_types: ["a.*"],
      enabled: true,
    });
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e1", type: "a.b" } }),
      201,
    );
    expect(await sendouts()).toEqual(["e1"]);

    // Another isolate's endpoint: this one sees it when the key's entry expires (read afresh at `now`).
    const now = Date.now() + KEY_CACHE_MS;
    const ctx = systemContext();
    expect((await authenticateApiKey(ctx, tenant.keys.ingest, now))?.endpoints).toHaveLength(1);
    const [other] = await db
      .insert(webhookEndpoints)
      .values({
        id: "whe_elsewhere",
        projectId: tenant.project.id,
        url: "https://other.example/hooks",
        description: "",
        eventTypes: ["*"],
        enabled: true,
        secret: "sealed",
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    expect(other).toBeDefined();
    expect((await authenticateApiKey(ctx, tenant.keys.ingest, now + KEY_CACHE_MS - 1))?.endpoints).toHaveLength(1);
    expect((await authenticateApiKey(ctx, tenant.keys.ingest, now + KEY_CACHE_MS))?.endpoints).toHaveLength(2);
  });

  it("writes a new event in one shard batch and still answers a stored id as a duplicate or a conflict", async () => {
    const tenant = await createTenant();
    const ctx = projectContext(tenant.project);
    const calls: string[] = [];
    const d1 = new Proxy(ctx.events.d1, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return value.apply(target, args);
        };
      },
    });
    const counted = { ...ctx, events: { ...ctx.events, d1 }, webhookEndpoints: [] };
    const [first] = await recordEvents(counted, [{ id: "n1", category: "activity", type: "a.b" }], { batch: false });
    expect(first?.duplicate).toBe(false);
    expect(calls.filter((c) => c !== "prepare")).toEqual(["batch"]);
    const [again] = await recordEvents(counted, [{ id: "n1", category: "activity", type: "a.b" }], { batch: false });
    expect(again).toMatchObject({ id: "n1", duplicate: true, hash: first?.hash, received_at: first?.received_at });
    await expect(
      recordEvents(counted, [{ id: "n1", category: "activity", type: "a.c" }], { batch: false }),
    ).rejects.toThrow(/already exists with different content/);
    expect(await storedEvents(tenant.project.id)).toHaveLength(1);
  });
});
