import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { findViewerSession, redeemViewerToken } from "../../../src/services/embed/viewer";
import { api, cookieFrom, createTenant, dash, expectJson, systemContext, type Tenant } from "../../fixtures";
import { keyFor } from "../../hostile/helpers";

type Minted = { id: string; token: string; url: string; expires_at: string };

let tenant: Tenant;

async function mint(body: Record<string, unknown> = {}): Promise<Minted> {
  return expectJson<Minted>(
    await api("POST", "/v1/viewer-tokens", {
      key: await keyFor(tenant, "admin"),
      body: { organization_id: "org_9", actor: { id: "cust_1", name: "Ann Admin", email: "ann@acme.test" }, ...body },
    }),
    201,
  );
}

/** Opens a token as the iframe would: the session's cookie and the page it leads to. */
async function open(minted: Minted): Promise<{ cookie: string; base: string }> {
  const response = await dash("GET", new URL(minted.url).pathname);
  expect(response.status, await response.clone().text()).toBe(303);
  const cookie = cookieFrom(response, "tb_viewer");
  if (!cookie) throw new Error("no viewer cookie");
  return { cookie, base: `/embed/s/${minted.id}` };
}

async function viewerRows(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM viewer_sessions").first<number>("n")) ?? 0;
}

beforeAll(async () => {
  tenant = await createTenant();
  const events = [
    {
      id: "org9_login",
      type: "user.login",
      category: "auth",
      status: "success",
      organization_id: "org_9",
      actor: { id: "u_org9" },
    },
    { id: "org9_commission", type: "commission.updated", organization_id: "org_9", actor: { id: "u_org9b" } },
    { id: "org9_old_login", type: "user.logout", organization_id: "org_9", occurred_at: "2020-01-01T00:00:00Z" },
    { id: "org7_login", type: "user.login", organization_id: "org_7", actor: { id: "u_org7" } },
    { id: "org9_config", type: "user.role_changed", category: "configuration", organization_id: "org_9" },
  ];
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
});

describe("POST /v1/viewer-tokens", () => {
  it("mints a single-use link of five minutes by default, for admin keys only", async () => {
    const before = Date.now();
    const minted = await mint();
    expect(minted.token).toMatch(/^tbv_/);
    expect(minted.url).toBe(`http://trailbook.test/embed/t/${minted.token}`);
    const lifetime = Date.parse(minted.expires_at) - before;
    expect(lifetime).toBeGreaterThan(295_000);
    expect(lifetime).toBeLessThanOrEqual(301_000);
    // Only hashes are stored.
    const row = await env.DB.prepare("SELECT * FROM viewer_sessions WHERE id = ?").bind(minted.id).first();
    expect(JSON.stringify(row)).not.toContain(minted.token);
    const body = { organization_id: "org_9", actor: { id: "x" } };
    expect((await api("POST", "/v1/viewer-tokens", { key: tenant.keys.read, body })).status).toBe(403);
    expect((await api("POST", "/v1/viewer-tokens", { body })).status).toBe(401);
  });

  it("takes a lifetime up to an hour, never more", async () => {
    const minted = await mint({ expires_in: 3600 });
    expect(Date.parse(minted.expires_at) - Date.now()).toBeGreaterThan(3_590_000);
    const before = await viewerRows();
    for (const expires_in of [3601, 0, -5, 1.5, "60"]) {
      const response = await api("POST", "/v1/viewer-tokens", {
        key: await keyFor(tenant, "admin"),
        body: { organization_id: "org_9", actor: { id: "x" }, expires_in },
      });
      expect(response.status, `${expires_in}`).toBe(422);
    }
    expect(await viewerRows()).toBe(before);
  });

  it("never answers hostile input with a 5xx, and stores nothing on a 4xx", async () => {
    const field = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.constant("\u0000"),
      fc.constant("\ud800"),
      fc.constant("x".repeat(5000)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            organization_id: field,
            actor: fc.oneof(field, fc.record({ id: field, name: field, email: field }, { requiredKeys: [] })),
            filters: fc.oneof(
              field,
              fc.record({ types: fc.oneof(field, fc.array(field)), from: field }, { requiredKeys: [] }),
            ),
            permissions: fc.oneof(field, fc.array(fc.oneof(fc.constantFrom("read", "export", "admin"), field))),
            expires_in: fc.oneof(field, fc.integer({ min: -10, max: 5000 })),
            theme: fc.oneof(field, fc.record({ accent: field, mode: field, columns: field }, { requiredKeys: [] })),
            extra: field,
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const before = await viewerRows();
          const response = await api("POST", "/v1/viewer-tokens", { key: await keyFor(tenant, "admin"), body });
          const text = await response.text();
          expect(response.status, text).toBeLessThan(500);
          expect(await viewerRows(), text).toBe(response.status === 201 ? before + 1 : before);
        },
      ),
      { numRuns: 60 },
    );
    for (const rawBody of [
      "{",
      "[]",
      "null",
      '"x"',
      '{"organization_id":"a","actor":{"id":"b"},"filters":{"from":"2026-02-30"}}',
    ]) {
      const before = await viewerRows();
      const response = await api("POST", "/v1/viewer-tokens", {
        key: await keyFor(tenant, "admin"),
        rawBody,
        headers: { "Content-Type": "application/json" },
      });
      expect(response.status, rawBody).toBeGreaterThanOrEqual(400);
      expect(response.status, rawBody).toBeLessThan(500);
      expect(await viewerRows()).toBe(before);
    }
  });
});

describe("opening a viewer", () => {
  it("works once, with a cookie for a third-party frame on the session's path", async () => {
    const minted = await mint();
    const first = await dash("GET", new URL(minted.url).pathname);
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toBe(`/embed/s/${minted.id}/events`);
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith("tb_viewer=")) ?? "";
    expect(setCookie).toContain(`Path=/embed/s/${minted.id}`);
    expect(setCookie).toContain("SameSite=None");
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("Partitioned");
    expect(setCookie).toContain("HttpOnly");
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)?.[1]);
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
    const again = await dash("GET", new URL(minted.url).pathname);
    expect(again.status).toBe(404);
    expect(again.headers.getSetCookie().join()).not.toContain("tb_viewer=");
  });

  it("refuses a tampered, an expired and a revoked token", async () => {
    const minted = await mint();
    const last = minted.token.at(-1) === "A" ? "B" : "A";
    const tampered = `${minted.token.slice(0, -1)}${last}`;
    expect((await dash("GET", `/embed/t/${tampered}`)).status).toBe(404);
    expect((await dash("GET", `/embed/t/${minted.token}x`)).status).toBe(404);
    expect((await dash("GET", "/embed/t/nonsense")).status).toBe(404);

    const short = await mint({ expires_in: 10 });
    expect(await redeemViewerToken(systemContext(), short.token, Date.now() + 11_000)).toBeUndefined();
    // Still unused, so inside its lifetime it opens.
    expect(await redeemViewerToken(systemContext(), short.token)).toBeDefined();

    const unopened = await mint({ organization_id: "org_revoked" });
    const opened = await open(await mint({ organization_id: "org_revoked" }));
    expect((await dash("GET", `${opened.base}/events`, { cookie: opened.cookie })).status).toBe(200);
    const revoked = await expectJson<{ revoked: number }>(
      await api("POST", "/v1/viewer-sessions/revoke", {
        key: await keyFor(tenant, "admin"),
        body: { organization_id: "org_revoked" },
      }),
      200,
    );
    expect(revoked.revoked).toBe(2);
    expect((await dash("GET", `${opened.base}/events`, { cookie: opened.cookie })).status).toBe(401);
    expect((await dash("GET", new URL(unopened.url).pathname)).status).toBe(404);
    expect(
      (await api("POST", "/v1/viewer-sessions/revoke", { key: tenant.keys.read, body: { organization_id: "x" } }))
        .status,
    ).toBe(403);
  });

  it("ends the session after its lifetime, at most an hour", async () => {
    const minted = await mint({ session_expires_in: 600 });
    const { cookie } = await open(minted);
    const value = cookie.split("=")[1] ?? "";
    expect(await findViewerSession(systemContext(), minted.id, value)).toBeDefined();
    expect(await findViewerSession(systemContext(), minted.id, value, Date.now() + 601_000)).toBeUndefined();
    const response = await api("POST", "/v1/viewer-tokens", {
      key: await keyFor(tenant, "admin"),
      body: { organization_id: "org_9", actor: { id: "x" }, session_expires_in: 3601 },
    });
    expect(response.status).toBe(422);
  });

  it("keeps a session's cookie to its own session", async () => {
    const a = await open(await mint());
    const b = await open(await mint());
    expect((await dash("GET", `${b.base}/events`, { cookie: a.cookie })).status).toBe(401);
    expect((await dash("GET", `${b.base}/events`)).status).toBe(401);
    expect((await dash("GET", `${b.base}/events`, { cookie: b.cookie })).status).toBe(200);
  });
});
