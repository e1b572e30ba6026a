import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { sessions } from "../../src/db/schema";
import { sha256Hex } from "../../src/lib/crypto";
import { IDLE_TIMEOUT_MS, TOUCH_INTERVAL_MS, touchSession } from "../../src/services/auth/sessions";
import { findSessionMembership } from "../../src/services/members/membership";
import { cachedSessionMembership, forgetSessions, SESSION_CACHE_MS } from "../../src/services/session-cache";
import { api, createMember, createTenant, dash, expectJson, signIn, systemContext, type Tenant } from "../fixtures";

// A project page's session and membership are kept per isolate for SESSION_CACHE_MS
// (src/services/session-cache.ts); the API key checks' twin (test/services/keys/key-cache.test.ts).

describe("sessions kept per isolate", () => {
  let tenant: Tenant;
  let token: string;
  let tokenHash: string;
  const ctx = systemContext();

  beforeEach(async () => {
    forgetSessions();
    tenant = await createTenant();
    const cookie = await signIn(await createMember(tenant, "member"));
    token = cookie.slice(cookie.indexOf("=") + 1);
    tokenHash = await sha256Hex(token);
  });

  const setSession = (values: Partial<typeof sessions.$inferInsert>) =>
    ctx.db.update(sessions).set(values).where(eq(sessions.tokenHash, tokenHash));

  it("serves a member's lookup again for SESSION_CACHE_MS, then reads it afresh", async () => {
    const t = Date.now();
    const first = await findSessionMembership(ctx, token, tenant.project.id, t);
    expect(first?.membership?.project.id).toBe(tenant.project.id);
    // Revoked behind Trailbook's back (no request of this isolate changed it): kept until it expires.
    await setSession({ revokedAt: t });
    expect(await findSessionMembership(ctx, token, tenant.project.id, t + SESSION_CACHE_MS - 1)).toBe(first);
    expect(await findSessionMembership(ctx, token, tenant.project.id, t + SESSION_CACHE_MS)).toBeUndefined();
    // And a lookup that found nothing live is not kept.
    expect(cachedSessionMembership(tokenHash, tenant.project.id, t + SESSION_CACHE_MS)).toBeUndefined();
  });

  it("checks a kept session's idle time and expiry on every lookup", async () => {
    const t = Date.now();
    await setSession({ lastSeenAt: t - IDLE_TIMEOUT_MS + 1_000 });
    expect(await findSessionMembership(ctx, token, tenant.project.id, t)).toBeDefined();
    expect(await findSessionMembership(ctx, token, tenant.project.id, t + 1_000)).toBeUndefined();

    await setSession({ lastSeenAt: t, expiresAt: t + 1_000 });
    forgetSessions();
    expect(await findSessionMembership(ctx, token, tenant.project.id, t)).toBeDefined();
    expect(await findSessionMembership(ctx, token, tenant.project.id, t + 1_000)).toBeUndefined();
  });

  it("notes a session's touch in its kept copy, so the next request does not write it again", async () => {
    const t = Date.now();
    const first = await findSessionMembership(ctx, token, tenant.project.id, t);
    if (!first) throw new Error("no session");
    const touchedAt = first.session.lastSeenAt + TOUCH_INTERVAL_MS;
    await touchSession(ctx, first.session, touchedAt);
    const kept = cachedSessionMembership(tokenHash, tenant.project.id, t);
    expect(kept?.session.lastSeenAt).toBe(touchedAt);
    expect(kept?.membership).toBe(first.membership);
  });

  it("keeps no lookup a change overlapped, and none of a project the user is not a member of", async () => {
    const t = Date.now();
    const pending = findSessionMembership(ctx, token, tenant.project.id, t);
    forgetSessions();
    expect((await pending)?.membership).toBeDefined();
    expect(cachedSessionMembership(tokenHash, tenant.project.id, t)).toBeUndefined();

    const other = await createTenant();
    const outside = await findSessionMembership(ctx, token, other.project.id, t);
    expect(outside?.session).toBeDefined();
    expect(outside?.membership).toBeUndefined();
    expect(cachedSessionMembership(tokenHash, other.project.id, t)).toBeUndefined();
  });

  it("is forgotten once any dashboard or API change has answered, but not after event ingest", async () => {
    const t = Date.now();
    await findSessionMembership(ctx, token, tenant.project.id, t);
    await expectJson(await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { type: "user.login" } }), 201);
    expect(cachedSessionMembership(tokenHash, tenant.project.id, t)).toBeDefined();
    // Any other write, even one that is refused (a form without its CSRF origin).
    expect((await dash("POST", `/p/${tenant.project.id}/settings`, { origin: null })).status).toBe(403);
    expect(cachedSessionMembership(tokenHash, tenant.project.id, t)).toBeUndefined();
  });
});
