import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { notifications, sessions, users } from "../../src/db/schema";
import type { AppEnv, ProjectEnv, SignedInEnv } from "../../src/env";
import { sha256Hex } from "../../src/lib/crypto";
import { requestContext } from "../../src/middleware/context";
import { pageOnError } from "../../src/middleware/errors";
import { requireMembership, requirePermission, requireSignIn } from "../../src/middleware/session";
import { createMember, createTenant, expectJson, SESSION, signIn } from "../fixtures";

const db = createDb(env.DB);

/** The request middleware, sign-in for everything, sign-in and membership under /p/:projectId, and probes of the context. */
function probe() {
  const project = new Hono<ProjectEnv>()
    .use(requireMembership)
    .get("/who", (c) => {
      const { actor, project } = c.var.ctx;
      return c.json({
        kind: actor.kind,
        userId: actor.user.id,
        access: actor.access,
        projectId: project.id,
        unread: c.var.unread,
      });
    })
    .get("/settings", requirePermission("settings.read"), (c) => c.text("settings"));
  const signedIn = new Hono<SignedInEnv>()
    .use(requireSignIn)
    .get("/me", (c) => c.json({ kind: c.var.ctx.actor.kind, userId: c.var.ctx.actor.user.id }))
    .get("/account", (c) => c.text("account"));
  // As in the dashboard: project pages check the session themselves, with the membership.
  const app = new Hono<AppEnv>().use(requestContext).route("/p/:projectId", project).route("/", signedIn);
  app.onError(pageOnError);
  return app;
}

function call(path: string, options: { cookie?: string; method?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.Cookie = options.cookie;
  const execution = createExecutionContext();
  const response = probe().request(
    path,
    { method: options.method ?? "GET", headers, redirect: "manual" },
    env,
    execution,
  );
  return { response, execution };
}

describe("sign-in", () => {
  it("sends strangers to the sign-in page, htmx requests as a whole page, and forgets a dead cookie", async () => {
    const page = await call("/p/prj_x/who?view=all").response;
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toBe(`/login?next=${encodeURIComponent("/p/prj_x/who?view=all")}`);
    const form = await call("/me", { method: "POST" }).response;
    expect(form.headers.get("Location")).toBe("/login");
    const fragment = await call("/me", { headers: { "HX-Request": "true" } }).response;
    expect(fragment.status).toBe(200);
    expect(fragment.headers.get("HX-Redirect")).toBe("/login?next=%2Fme");
    const stale = await call("/me", { cookie: `${SESSION}=${"x".repeat(43)}` }).response;
    expect(stale.status).toBe(303);
    expect(stale.headers.getSetCookie().join("\n")).toMatch(new RegExp(`${SESSION}=;.*Max-Age=0`));
  });

  it("makes the request's context act as the signed-in user, and keeps the session alive after the answer", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const cookie = await signIn(member);
    await db
      .update(sessions)
      .set({ lastSeenAt: Date.now() - 5 * 60_000 })
      .where(eq(sessions.userId, member.userId));
    const { response, execution } = call("/me", { cookie });
    expect(await expectJson(await response, 200)).toEqual({ kind: "user", userId: member.userId });
    await waitOnExecutionContext(execution);
    const [session] = await db.select().from(sessions).where(eq(sessions.userId, member.userId));
    expect(session?.lastSeenAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it("sends an account that must choose its password to /account first", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const cookie = await signIn(member);
    await db.update(users).set({ mustChangePassword: true }).where(eq(users.id, member.userId));
    const elsewhere = await call("/me", { cookie }).response;
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get("Location")).toBe("/account");
    expect(await (await call("/account", { cookie }).response).text()).toBe("account");
  });
});

describe("membership", () => {
  it("makes the context act as the member in the project, with their access and unread count", async () => {
    const tenant = await createTenant();
    const admin = await createMember(tenant, "admin");
    const partner = await createMember(tenant, "viewer", { organizationId: "org_9" });
    await db.insert(notifications).values({
      id: "ntf_probe",
      projectId: tenant.project.id,
      type: "webhook.failing",
      title: "for owners and admins",
      createdAt: Date.now(),
    });
    const who = `/p/${tenant.project.id}/who`;
    expect(await expectJson(await call(who, { cookie: await signIn(admin) }).response, 200)).toEqual({
      kind: "member",
      userId: admin.userId,
      access: { role: "admin", organizationId: null, customRole: null },
      projectId: tenant.project.id,
      unread: 1,
    });
    expect(await expectJson(await call(who, { cookie: await signIn(partner) }).response, 200)).toMatchObject({
      access: { role: "viewer", organizationId: "org_9", customRole: null },
      unread: 0,
    });
  });

  it("sends a dead or missing session to sign-in, and a one-time password to /account, before any membership", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "owner");
    const who = `/p/${tenant.project.id}/who`;
    const cookie = await signIn(member);
    expect((await call(who, { cookie }).response).status).toBe(200);
    for (const dead of [
      { lastSeenAt: Date.now() - 9 * 3_600_000 }, // idle too long
      { revokedAt: Date.now() },
      { expiresAt: Date.now() - 1 },
    ]) {
      const again = await signIn(member);
      const token = again.split("=")[1] ?? "";
      await db
        .update(sessions)
        .set(dead)
        .where(eq(sessions.tokenHash, await sha256Hex(token)));
      const response = await call(who, { cookie: again }).response;
      expect(response.status).toBe(303);
      expect(response.headers.get("Location")).toBe(`/login?next=${encodeURIComponent(who)}`);
      expect(response.headers.getSetCookie().join("\n")).toMatch(new RegExp(`${SESSION}=;.*Max-Age=0`));
    }
    await db.update(users).set({ mustChangePassword: true }).where(eq(users.id, member.userId));
    const first = await call(who, { cookie }).response;
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toBe("/account");
  });

  it("answers a project the user is not a member of, or does not exist, as missing", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const cookie = await signIn(await createMember(tenant, "owner"));
    for (const id of [other.project.id, "prj_nope"]) {
      const response = await call(`/p/${id}/who`, { cookie }).response;
      expect(response.status).toBe(404);
      expect(await response.text()).toContain("no such project");
    }
  });

  it("refuses what the member's role does not allow", async () => {
    const tenant = await createTenant();
    const viewer = await signIn(await createMember(tenant, "viewer"));
    const admin = await signIn(await createMember(tenant, "admin"));
    expect((await call(`/p/${tenant.project.id}/settings`, { cookie: viewer }).response).status).toBe(403);
    expect(await (await call(`/p/${tenant.project.id}/settings`, { cookie: admin }).response).text()).toBe("settings");
  });
});
