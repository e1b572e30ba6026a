import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, createMember, createTenant, dash, expectJson, signIn, storedEvents, type Tenant } from "../fixtures";

type Role = "owner" | "admin" | "member" | "viewer" | "partner" | "outsider";
type Case = {
  action: string;
  method: "GET" | "POST";
  path: (t: Ctx) => string;
  form?: (t: Ctx) => Record<string, string>;
  htmx?: boolean;
  allowed: Role[];
};
type Ctx = { tenant: Tenant; keyId: string; memberId: string };

// Every dashboard route and action, and who may use it (README "Roles"). "partner" is a viewer
// scoped to one organisation; "outsider" a signed-in user of another project.
const CASES: Case[] = [
  {
    action: "list events",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/events`,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "open an event",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/events/org9_event`,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "count events",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/count`,
    htmx: true,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "suggest actor ids",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/suggest/actor_id`,
    htmx: true,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "see project settings",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings`,
    allowed: ["owner", "admin"],
  },
  {
    action: "change project settings",
    method: "POST",
    path: (t) => `/p/${t.tenant.project.id}/settings`,
    form: () => ({ name: "Test project", timezone: "Europe/Paris", retention_days: "90", redaction_keys: "iban" }),
    allowed: ["owner", "admin"],
  },
  {
    action: "see members",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings/members`,
    allowed: ["owner", "admin"],
  },
  {
    action: "invite a member",
    method: "POST",
    path: (t) => `/p/${t.tenant.project.id}/settings/members`,
    form: () => ({ email: `new.${crypto.randomUUID().slice(0, 8)}@example.com`, role: "member" }),
    allowed: ["owner", "admin"],
  },
  {
    action: "change a member's role",
    method: "POST",
    path: (t) => `/p/${t.tenant.project.id}/settings/members/${t.memberId}`,
    form: () => ({ role: "member", organization_id: "" }),
    allowed: ["owner", "admin"],
  },
  {
    action: "see API keys",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings/api-keys`,
    allowed: ["owner", "admin"],
  },
  {
    action: "create an API key",
    method: "POST",
    path: (t) => `/p/${t.tenant.project.id}/settings/api-keys`,
    form: () => ({ name: "CI key", scope: "read" }),
    allowed: ["owner", "admin"],
  },
  {
    action: "see own account",
    method: "GET",
    path: () => "/account",
    allowed: ["owner", "admin", "member", "viewer", "partner", "outsider"],
  },
  {
    action: "see exports",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/exports`,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "confirm an export",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/exports/new`,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "see background tasks",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/tasks`,
    allowed: ["owner", "admin", "member"],
  },
  {
    action: "see imports",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/imports`,
    allowed: ["owner", "admin"],
  },
  {
    action: "see webhook sendouts",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/webhooks`,
    allowed: ["owner", "admin", "member"],
  },
  {
    action: "manage webhook endpoints",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings/webhooks`,
    allowed: ["owner", "admin"],
  },
  {
    action: "see analytics",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/analytics`,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
  {
    action: "see the security view",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/security`,
    allowed: ["owner", "admin"],
  },
  {
    action: "see integrity",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/integrity`,
    allowed: ["owner", "admin", "member"],
  },
  {
    action: "see notifications",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/notifications`,
    allowed: ["owner", "admin", "member", "viewer", "partner"],
  },
];

const ROLES: Role[] = ["owner", "admin", "member", "viewer", "partner", "outsider"];
const cookies = new Map<Role, string>();
let ctx: Ctx;

beforeAll(async () => {
  const tenant = await createTenant();
  await expectJson(
    await api("POST", "/v1/events", {
      key: tenant.keys.ingest,
      body: { id: "org9_event", type: "commission.updated", organization_id: "org_9" },
    }),
    201,
  );
  const other = await createTenant();
  for (const role of ROLES) {
    const member =
      role === "outsider"
        ? await createMember(other, "owner")
        : await createMember(
            tenant,
            role === "partner" ? "viewer" : role,
            role === "partner" ? { organizationId: "org_9" } : {},
          );
    cookies.set(role, await signIn(member));
  }
  const target = await createMember(tenant, "member");
  const key = await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ? LIMIT 1")
    .bind(tenant.project.id)
    .first<{ id: string }>();
  ctx = { tenant, keyId: key?.id ?? "", memberId: target.userId };
});

describe("permission matrix", () => {
  const table = CASES.flatMap((c) => ROLES.map((role) => [c.action, role, c] as const));
  it.each(table)("%s as %s", async (_action, role, c) => {
    const response = await dash(c.method, c.path(ctx), {
      cookie: cookies.get(role),
      form: c.form?.(ctx),
      headers: c.htmx ? { "HX-Request": "true" } : {},
    });
    const body = await response.text();
    if (c.allowed.includes(role)) {
      expect(response.status, body).toBe(200);
    } else if (role === "outsider") {
      expect(response.status, body).toBe(404);
    } else {
      expect(response.status, body).toBe(403);
      expect(body).toContain("does not allow this");
    }
  });

  it("shows settings links only to roles that may use them", async () => {
    const admin = await (
      await dash("GET", `/p/${ctx.tenant.project.id}/events`, { cookie: cookies.get("admin") })
    ).text();
    const viewer = await (
      await dash("GET", `/p/${ctx.tenant.project.id}/events`, { cookie: cookies.get("viewer") })
    ).text();
    expect(admin).toContain("/settings/members");
    expect(viewer).not.toContain("/settings/members");
  });
});

describe("member management rules", () => {
  it("lets only owners grant ownership, and keeps one owner", async () => {
    const tenant = await createTenant();
    const owner = await createMember(tenant, "owner");
    const admin = await createMember(tenant, "admin");
    const ownerCookie = await signIn(owner);
    const adminCookie = await signIn(admin);
    const members = `/p/${tenant.project.id}/settings/members`;

    const refused = await dash("POST", members, {
      cookie: adminCookie,
      form: { email: "boss@example.com", role: "owner" },
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("Only an owner can");
    const demote = await dash("POST", `${members}/${owner.userId}`, { cookie: adminCookie, form: { role: "viewer" } });
    expect(demote.status).toBe(403);

    const last = await dash("POST", `${members}/${owner.userId}/remove`, { cookie: ownerCookie });
    expect(last.status).toBe(422);
    expect(await last.text()).toContain("at least one owner");

    const promote = await dash("POST", `${members}/${admin.userId}`, { cookie: ownerCookie, form: { role: "owner" } });
    expect(promote.status).toBe(200);
    expect((await dash("POST", `${members}/${owner.userId}/remove`, { cookie: adminCookie })).status).toBe(200);
  });

  it("adds people by invite link, and the invite link works once", async () => {
    const tenant = await createTenant();
    const owner = await createMember(tenant, "owner");
    const cookie = await signIn(owner);
    const members = `/p/${tenant.project.id}/settings/members`;

    const invited = await (
      await dash("POST", members, {
        cookie,
        form: { email: "Partner@Example.com", role: "viewer", organization_id: "org_9" },
      })
    ).text();
    const token = /\/invite\/([A-Za-z0-9_-]{30,})/.exec(invited)?.[1];
    if (!token) throw new Error("no invite link shown");
    const page = await dash("GET", `/invite/${token}`);
    expect(await page.text()).toContain("partner@example.com");
    const weak = await dash("POST", `/invite/${token}`, {
      form: { name: "Pat", password: "short", password_confirm: "short" },
    });
    expect(weak.status).toBe(422);
    const joined = await dash("POST", `/invite/${token}`, {
      form: { name: "Pat", password: "partner-password", password_confirm: "partner-password" },
    });
    expect(joined.status).toBe(303);
    expect(joined.headers.get("Location")).toBe(`/p/${tenant.project.id}/events`);
    expect((await dash("GET", `/invite/${token}`)).status).toBe(404);
    const membership = await env.DB.prepare(
      "SELECT m.role, m.organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = ?",
    )
      .bind("partner@example.com")
      .first();
    expect(membership).toEqual({ role: "viewer", organization_id: "org_9" });

    const again = await dash("POST", members, {
      cookie,
      form: { email: "partner@example.com", role: "member" },
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already a member of this project");
    const types = (await storedEvents(tenant.project.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["member.invited", "member.joined"]));
  });
});
