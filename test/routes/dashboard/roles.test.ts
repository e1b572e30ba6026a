import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { sendNotificationEmails } from "../../../src/services/mail/notification-emails";
import { notify } from "../../../src/services/notifications/notify";
import {
  api,
  createCustomRole,
  createMember,
  createTenant,
  dash,
  expectJson,
  followRedirect,
  signIn,
  storedEvents,
  systemContext,
  type Tenant,
} from "../../fixtures";

type Role = "owner" | "admin" | "member" | "viewer" | "partner" | "custom" | "outsider";
type Case = {
  action: string;
  method: "GET" | "POST";
  path: (t: Ctx) => string;
  form?: (t: Ctx) => Record<string, string>;
  htmx?: boolean;
  allowed: Role[];
};
type Ctx = { tenant: Tenant; keyId: string; memberId: string; roleId: string };

// Every dashboard route and action, and who may use it (README "Roles"). "partner" is a viewer
// scoped to one organisation; "outsider" a signed-in user of another project; "custom" a member
// holding a custom role with exactly CUSTOM_PERMISSIONS, a set no built-in role has.
const CUSTOM_PERMISSIONS = [
  "events.read",
  "analytics.read",
  "tasks.read",
  "webhooks.read",
  "settings.read",
  "api_keys.manage",
];
const CASES: Case[] = [
  {
    action: "list events",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/events`,
    allowed: ["owner", "admin", "member", "viewer", "partner", "custom"],
  },
  {
    action: "open an event",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/events/org9_event`,
    allowed: ["owner", "admin", "member", "viewer", "partner", "custom"],
  },
  {
    action: "count events",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/count`,
    htmx: true,
    allowed: ["owner", "admin", "member", "viewer", "partner", "custom"],
  },
  {
    action: "suggest actor ids",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/suggest/actor_id`,
    htmx: true,
    allowed: ["owner", "admin", "member", "viewer", "partner", "custom"],
  },
  {
    action: "see project settings",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings`,
    allowed: ["owner", "admin", "custom"],
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
    allowed: ["owner", "admin", "custom"],
  },
  {
    action: "create an API key",
    method: "POST",
    path: (t) => `/p/${t.tenant.project.id}/settings/api-keys`,
    form: () => ({ name: "CI key", scope: "read" }),
    allowed: ["owner", "admin", "custom"],
  },
  {
    action: "see own account",
    method: "GET",
    path: () => "/account",
    allowed: ["owner", "admin", "member", "viewer", "partner", "outsider", "custom"],
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
    allowed: ["owner", "admin", "member", "custom"],
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
    allowed: ["owner", "admin", "member", "custom"],
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
    allowed: ["owner", "admin", "member", "viewer", "partner", "custom"],
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
    action: "see custom roles",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings/roles`,
    allowed: ["owner", "admin"],
  },
  {
    action: "define a custom role",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings/roles/${t.roleId}`,
    allowed: ["owner"],
  },
  {
    action: "see alert rules",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/settings/alerts`,
    allowed: ["owner", "admin"],
  },
  {
    action: "see notifications",
    method: "GET",
    path: (t) => `/p/${t.tenant.project.id}/notifications`,
    allowed: ["owner", "admin", "member", "viewer", "partner", "custom"],
  },
];

const ROLES: Role[] = ["owner", "admin", "member", "viewer", "partner", "custom", "outsider"];
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
  const roleId = await createCustomRole(tenant, "Support", CUSTOM_PERMISSIONS);
  for (const role of ROLES) {
    const member =
      role === "outsider"
        ? await createMember(other, "owner")
        : role === "custom"
          ? await createMember(tenant, "viewer", { roleId })
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
  ctx = { tenant, keyId: key?.id ?? "", memberId: target.userId, roleId };
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
    if (c.allowed.includes(role) && c.method === "POST") {
      // A change answers with a redirect to its page (Post/Redirect/Get), which says it worked.
      const shown = await followRedirect(response, cookies.get(role));
      const html = await shown.text();
      expect(shown.status, html).toBe(200);
      expect(html).not.toContain('class="alert error"');
    } else if (c.allowed.includes(role)) {
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
    expect(admin).toContain(`href="/p/${ctx.tenant.project.id}/settings"`);
    expect(viewer).not.toContain(`href="/p/${ctx.tenant.project.id}/settings"`);
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
    expect(await (await followRedirect(refused, adminCookie)).text()).toContain("Only an owner can");
    const demote = await dash("POST", `${members}/${owner.userId}`, { cookie: adminCookie, form: { role: "viewer" } });
    expect(await (await followRedirect(demote, adminCookie)).text()).toContain("Only an owner can");

    const last = await dash("POST", `${members}/${owner.userId}/remove`, { cookie: ownerCookie });
    expect(await (await followRedirect(last, ownerCookie)).text()).toContain("at least one owner");

    const promote = await dash("POST", `${members}/${admin.userId}`, { cookie: ownerCookie, form: { role: "owner" } });
    expect(await (await followRedirect(promote, ownerCookie)).text()).toContain("Member updated.");
    const removed = await dash("POST", `${members}/${owner.userId}/remove`, { cookie: adminCookie });
    expect(await (await followRedirect(removed, adminCookie)).text()).toContain("Member removed.");
    const roles = await env.DB.prepare("SELECT user_id, role FROM memberships WHERE project_id = ?")
      .bind(tenant.project.id)
      .all();
    expect(roles.results).toEqual([{ user_id: admin.userId, role: "owner" }]);
  });

  it("adds people by invite link, and the invite link works once", async () => {
    const tenant = await createTenant();
    const owner = await createMember(tenant, "owner");
    const cookie = await signIn(owner);
    const members = `/p/${tenant.project.id}/settings/members`;

    const posted = await dash("POST", members, {
      cookie,
      form: { email: "Partner@Example.com", role: "viewer", organization_id: "org_9" },
    });
    // The link is shown once on the page the change redirects to, never in a URL.
    expect(posted.headers.get("Location")).toBe(members);
    const invited = await (await followRedirect(posted, cookie)).text();
    expect(await (await dash("GET", members, { cookie })).text()).not.toContain("/invite/");
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
    expect(await (await followRedirect(again, cookie)).text()).toContain("already a member of this project");
    const types = (await storedEvents(tenant.project.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["member.invited", "member.joined"]));
  });
});

// Who sees which notification (README "Notifications"), written out rather than derived from the
// code's table: `everyone` for a notification meant for every member, `addressed` for one meant for
// the member reading.
const NOTIFICATION_MATRIX: Record<string, { everyone: Role[]; addressed: Role[] }> = {
  "security.failed_logins": { everyone: ["owner", "admin"], addressed: ["owner", "admin"] },
  "security.large_export": { everyone: ["owner", "admin"], addressed: ["owner", "admin"] },
  "security.api_key": { everyone: ["owner", "admin", "custom"], addressed: ["owner", "admin", "custom"] },
  "webhook.failing": { everyone: ["owner", "admin"], addressed: ["owner", "admin"] },
  "webhook.disabled": { everyone: ["owner", "admin"], addressed: ["owner", "admin"] },
  "alert.fired": { everyone: ["owner", "admin"], addressed: ["owner", "admin"] },
  "import.done": {
    everyone: ["owner", "admin", "member", "custom"],
    addressed: ["owner", "admin", "member", "custom"],
  },
  "import.failed": {
    everyone: ["owner", "admin", "member", "custom"],
    addressed: ["owner", "admin", "member", "custom"],
  },
  "export.ready": { everyone: ["owner", "admin"], addressed: ["owner", "admin", "member", "viewer", "partner"] },
  "export.failed": { everyone: ["owner", "admin"], addressed: ["owner", "admin", "member", "viewer", "partner"] },
  "integrity.failed": { everyone: ["owner", "admin", "member"], addressed: ["owner", "admin", "member"] },
  "retention.report": {
    everyone: ["owner", "admin", "member", "custom"],
    addressed: ["owner", "admin", "member", "custom"],
  },
  "retention.failed": {
    everyone: ["owner", "admin", "member", "custom"],
    addressed: ["owner", "admin", "member", "custom"],
  },
  // An unknown kind is for those who see the settings; the custom role does.
  "some.future_kind": { everyone: ["owner", "admin", "custom"], addressed: ["owner", "admin", "custom"] },
};
const IN_PROJECT: Role[] = ["owner", "admin", "member", "viewer", "partner"];
// The notification matrix also holds the custom role (CUSTOM_PERMISSIONS), read through SQL.
const NOTIFIED: Role[] = [...IN_PROJECT, "custom"];

describe("notification visibility matrix", () => {
  const people = new Map<Role, { userId: string; email: string; cookie: string }>();
  let project: Tenant;

  beforeAll(async () => {
    project = await createTenant();
    const roleId = await createCustomRole(project, "Support", CUSTOM_PERMISSIONS);
    for (const role of NOTIFIED) {
      const member = await createMember(
        project,
        role === "partner" || role === "custom" ? "viewer" : (role as "owner" | "admin" | "member" | "viewer"),
        role === "partner" ? { organizationId: "org_9" } : role === "custom" ? { roleId } : {},
      );
      people.set(role, { ...member, cookie: await signIn(member) });
    }
    const ctx = systemContext();
    for (const type of Object.keys(NOTIFICATION_MATRIX)) {
      await notify(ctx, {
        projectId: project.project.id,
        type,
        title: `[everyone ${type}] a.b@example.com from 203.0.113.7`,
      });
      for (const [role, person] of people)
        await notify(ctx, { projectId: project.project.id, userId: person.userId, type, title: `[${role} ${type}]` });
    }
    // Another project's notifications never show.
    const other = await createTenant();
    await notify(ctx, { projectId: other.project.id, type: "export.ready", title: "[other project]" });
  });

  const expected = (role: Role) =>
    Object.entries(NOTIFICATION_MATRIX).flatMap(([type, who]) => [
      ...(who.everyone.includes(role) ? [`[everyone ${type}]`] : []),
      ...(who.addressed.includes(role) ? [`[${role} ${type}]`] : []),
    ]);

  it.each(NOTIFIED)("lists to %s exactly what their role and scope allow, and counts the same", async (role) => {
    const person = people.get(role);
    if (!person) throw new Error("no such person");
    const html = await (await dash("GET", `/p/${project.project.id}/notifications`, { cookie: person.cookie })).text();
    const shown = [...html.matchAll(/\[(?:everyone|owner|admin|member|viewer|partner|custom|other) [^\]]*\]/g)].map(
      (m) => m[0],
    );
    expect(shown.sort()).toEqual(expected(role).sort());
    expect(html).toContain(`Notifications (${expected(role).length})`);
  });

  it("offers a partner viewer only the e-mails they can receive, and never e-mails them anything else", async () => {
    const partner = people.get("partner");
    const admin = people.get("admin");
    if (!partner || !admin) throw new Error("no such person");
    const page = await (await dash("GET", `/p/${project.project.id}/notifications`, { cookie: partner.cookie })).text();
    const offered = [...page.matchAll(/name="type" value="([^"]+)"/g)].map((m) => m[1]);
    expect(offered.sort()).toEqual(["export.failed", "export.ready"]);
    await dash("POST", `/p/${project.project.id}/notifications/subscriptions`, {
      cookie: partner.cookie,
      form: { type: "security.failed_logins" },
    });
    const saved = await env.DB.prepare("SELECT type FROM notification_subscriptions WHERE user_id = ?")
      .bind(partner.userId)
      .all();
    expect(saved.results).toEqual([]);
    // Even a subscription written some other way brings nothing beyond their own notifications.
    for (const person of [partner, admin])
      await env.DB.prepare(
        "INSERT INTO notification_subscriptions (project_id, user_id, type) VALUES (?, ?, 'security.failed_logins'), (?, ?, 'export.ready')",
      )
        .bind(project.project.id, person.userId, project.project.id, person.userId)
        .run();
    await sendNotificationEmails(systemContext());
    const mails = (await storedEvents(project.project.id))
      .filter((e) => e.type === "email.sent")
      .map((e) => `${(e.metadata as Record<string, string>).to} ${e.summary}`);
    expect(mails.filter((m) => m.startsWith(partner.email))).toEqual([
      `${partner.email} Notification e-mail to ${partner.email}: [partner export.ready]`,
    ]);
    expect(mails.filter((m) => m.startsWith(admin.email)).sort()).toEqual(
      [
        `${admin.email} Notification e-mail to ${admin.email}: [admin export.ready]`,
        `${admin.email} Notification e-mail to ${admin.email}: [admin security.failed_logins]`,
        `${admin.email} Notification e-mail to ${admin.email}: [everyone export.ready] a.b@example.com from 203.0.113.7`,
        `${admin.email} Notification e-mail to ${admin.email}: [everyone security.failed_logins] a.b@example.com from 203.0.113.7`,
      ].sort(),
    );
  });

  it("lets nobody archive, and so learn of, a notification they cannot see", async () => {
    const partner = people.get("partner");
    if (!partner) throw new Error("no such person");
    const hidden = await env.DB.prepare(
      "SELECT id FROM notifications WHERE project_id = ? AND title LIKE '[admin %' LIMIT 1",
    )
      .bind(project.project.id)
      .first<{ id: string }>();
    await dash("POST", `/p/${project.project.id}/notifications/${hidden?.id}/archive`, { cookie: partner.cookie });
    await dash("POST", `/p/${project.project.id}/notifications/archive`, { cookie: partner.cookie });
    const archived = await env.DB.prepare(
      "SELECT n.type, n.user_id FROM notification_archives a JOIN notifications n ON n.id = a.notification_id WHERE a.user_id = ?",
    )
      .bind(partner.userId)
      .all<{ type: string; user_id: string }>();
    expect(archived.results.map((r) => `${r.type} ${r.user_id}`).sort()).toEqual(
      [`export.failed ${partner.userId}`, `export.ready ${partner.userId}`].sort(),
    );
  });
});

// Which exports each role may see, follow and download (README "Exports"): those holding nothing
// beyond what the reader may see. Made by each kind of member; `member (org_9)` filtered to org_9.
const EXPORT_MATRIX: { maker: Role | "partner7" | "member9"; seenBy: Role[] }[] = [
  { maker: "admin", seenBy: ["owner", "admin"] },
  { maker: "member", seenBy: ["owner", "admin", "member", "viewer"] },
  { maker: "viewer", seenBy: ["owner", "admin", "member", "viewer"] },
  { maker: "partner", seenBy: ["owner", "admin", "member", "viewer", "partner"] },
  { maker: "partner7", seenBy: ["owner", "admin", "member", "viewer"] },
  { maker: "member9", seenBy: ["owner", "admin", "member", "viewer", "partner"] },
];

describe("export visibility matrix", () => {
  const cookiesOf = new Map<string, string>();
  const made = new Map<string, { exportId: string; taskId: string }>();
  let project: Tenant;

  beforeAll(async () => {
    project = await createTenant();
    const events = [
      { type: "commission.updated", organization_id: "org_9" },
      { type: "commission.updated", organization_id: "org_7" },
    ];
    await expectJson(await api("POST", "/v1/events/batch", { key: project.keys.ingest, body: { events } }), 201);
    const people: [string, "owner" | "admin" | "member" | "viewer", string | undefined][] = [
      ["owner", "owner", undefined],
      ["admin", "admin", undefined],
      ["member", "member", undefined],
      ["viewer", "viewer", undefined],
      ["partner", "viewer", "org_9"],
      ["partner7", "viewer", "org_7"],
      ["member9", "member", undefined],
    ];
    for (const [name, role, organizationId] of people) {
      const member = await createMember(project, role, organizationId ? { organizationId } : {});
      cookiesOf.set(name, await signIn(member));
    }
    for (const { maker } of EXPORT_MATRIX) {
      const form: Record<string, string> = { format: "csv", from: "2000-01-01" };
      if (maker === "member9") form.organization_id = "org_9";
      const created = await dash("POST", `/p/${project.project.id}/exports`, { cookie: cookiesOf.get(maker), form });
      const exportId = /\/exports\/(exp_[a-z0-9]+)/.exec(created.headers.get("Location") ?? "")?.[1];
      const row = await env.DB.prepare("SELECT task_id FROM exports WHERE id = ?")
        .bind(exportId ?? "")
        .first<{ task_id: string }>();
      if (!exportId || !row) throw new Error(`no export made by ${maker}: ${created.status}`);
      made.set(maker, { exportId, taskId: row.task_id });
    }
  });

  const table = EXPORT_MATRIX.flatMap((e) => IN_PROJECT.map((reader) => [e.maker, reader, e.seenBy] as const));
  it.each(table)("an export made by %s, as %s", async (maker, reader, seenBy) => {
    const cookie = cookiesOf.get(reader);
    const ids = made.get(maker);
    if (!ids) throw new Error("no export");
    const base = `/p/${project.project.id}`;
    const allowed = seenBy.includes(reader);
    const list = await (await dash("GET", `${base}/exports`, { cookie })).text();
    expect(list.includes(ids.exportId)).toBe(allowed);
    const detail = await dash("GET", `${base}/exports/${ids.exportId}`, { cookie });
    expect(detail.status, await detail.text()).toBe(allowed ? 200 : 404);
    const file = await dash("GET", `${base}/exports/${ids.exportId}/download`, { cookie });
    expect(file.status).toBe(allowed ? 200 : 404);
    // Those who may see every task follow every task's progress; others only their visible exports'.
    const progress = await dash("GET", `${base}/tasks/${ids.taskId}/progress`, {
      cookie,
      headers: { "HX-Request": "true" },
    });
    const body = await progress.text();
    if (allowed || ["owner", "admin", "member"].includes(reader)) expect(progress.status, body).toBe(286);
    else {
      expect(progress.status, body).toBe(404);
      expect(body).not.toContain(ids.exportId);
    }
  });
});

describe("custom roles", () => {
  it("lets an owner define a role and give it to a member, who can then do exactly what it holds", async () => {
    const tenant = await createTenant();
    const owner = await signIn(await createMember(tenant, "owner"));
    const person = await createMember(tenant, "member");
    const base = `/p/${tenant.project.id}/settings`;

    const refused = await dash("POST", `${base}/roles`, {
      cookie: owner,
      form: { name: "admin", permissions: "events.read" },
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("built-in role");

    const body = new URLSearchParams([
      ["name", "Key keeper"],
      ["permissions", "events.read"],
      ["permissions", "api_keys.manage"],
    ]);
    const created = await postRaw("POST", `${base}/roles`, owner, body);
    expect(created.status).toBe(303);
    expect(created.headers.get("Location")).toBe(`${base}/roles?done=created`);
    const role = await env.DB.prepare("SELECT id, permissions FROM roles WHERE project_id = ?")
      .bind(tenant.project.id)
      .first<{ id: string; permissions: string }>();
    if (!role) throw new Error("no role stored");
    expect(JSON.parse(role.permissions)).toEqual(["events.read", "api_keys.manage"]);

    const given = await dash("POST", `${base}/members/${person.userId}`, { cookie: owner, form: { role: role.id } });
    // Post/Redirect/Get: the change answers with a redirect to the members page, which says it.
    expect(given.status, await given.clone().text()).toBe(303);
    expect(await (await followRedirect(given, owner)).text()).toContain("Member updated.");
    const cookie = await signIn(person);
    expect((await dash("GET", `${base}/api-keys`, { cookie })).status).toBe(200);
    // A member could see tasks; the custom role replaces that, it does not add to it.
    const tasks = await dash("GET", `/p/${tenant.project.id}/tasks`, { cookie });
    expect(tasks.status).toBe(403);
    expect(await tasks.text()).toContain("Your role (Key keeper) does not allow this");

    const types = (await storedEvents(tenant.project.id)).map((e) => `${e.type} ${e.summary}`);
    expect(types).toEqual(
      expect.arrayContaining([
        "role.created Role created: Key keeper",
        `member.updated ${person.email} is now Key keeper`,
      ]),
    );
  });

  it("refuses to delete a role in use, saying who holds it, and deletes it once nobody does", async () => {
    const tenant = await createTenant();
    const owner = await signIn(await createMember(tenant, "owner"));
    const roleId = await createCustomRole(tenant, "Auditor", ["events.read"]);
    const holder = await createMember(tenant, "viewer", { roleId });
    const base = `/p/${tenant.project.id}/settings`;

    const confirm = await dash("GET", `${base}/roles/${roleId}/delete`, { cookie: owner });
    expect(await confirm.text()).toContain("Delete role “Auditor”?");
    const refused = await dash("POST", `${base}/roles/${roleId}/delete`, { cookie: owner });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("The role &quot;Auditor&quot; is still given to 1 member");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM roles WHERE id = ?").bind(roleId).first("n")).toBe(1);

    await dash("POST", `${base}/members/${holder.userId}`, { cookie: owner, form: { role: "viewer" } });
    const deleted = await dash("POST", `${base}/roles/${roleId}/delete`, { cookie: owner });
    expect(deleted.status).toBe(303);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM roles WHERE id = ?").bind(roleId).first("n")).toBe(0);
    expect((await storedEvents(tenant.project.id)).map((e) => e.type)).toContain("role.deleted");
  });

  it("lets a role that manages members give only roles within its own permissions", async () => {
    const tenant = await createTenant();
    const roleId = await createCustomRole(tenant, "People", [
      "members.read",
      "members.manage",
      "events.read",
      "events.export",
      "analytics.read",
    ]);
    const manager = await signIn(await createMember(tenant, "viewer", { roleId }));
    const target = await createMember(tenant, "member");
    const members = `/p/${tenant.project.id}/settings/members`;

    const roleOf = (userId: string) =>
      env.DB.prepare("SELECT coalesce(role_id, role) AS r FROM memberships WHERE project_id = ? AND user_id = ?")
        .bind(tenant.project.id, userId)
        .first("r");
    // Refusals come back on the members page (Post/Redirect/Get) and change nothing.
    const up = await dash("POST", `${members}/${target.userId}`, { cookie: manager, form: { role: "admin" } });
    expect(up.status).toBe(303);
    expect(await (await followRedirect(up, manager)).text()).toContain("grants permissions you do not have");
    // The target is a member (tasks, webhooks): more than the manager holds, so not theirs to change.
    const down = await dash("POST", `${members}/${target.userId}`, { cookie: manager, form: { role: "viewer" } });
    expect(await (await followRedirect(down, manager)).text()).toContain("you do not have");
    expect(await roleOf(target.userId)).toBe("member");
    const viewer = await createMember(tenant, "viewer");
    const same = await dash("POST", `${members}/${viewer.userId}`, { cookie: manager, form: { role: roleId } });
    expect(await (await followRedirect(same, manager)).text()).toContain("Member updated.");
    expect(await roleOf(viewer.userId)).toBe(roleId);
    // Nor may it define roles (owners only), which would let it grant itself more.
    const define = await dash("POST", `/p/${tenant.project.id}/settings/roles`, {
      cookie: manager,
      form: { name: "Everything", permissions: "api_keys.manage" },
    });
    expect(define.status).toBe(403);
  });

  it("is offered when inviting, and an invitation to another project's role is refused", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const owner = await signIn(await createMember(tenant, "owner"));
    const roleId = await createCustomRole(tenant, "Finance", ["events.read", "events.export"]);
    const foreign = await createCustomRole(other, "Elsewhere", ["events.read"]);
    const members = `/p/${tenant.project.id}/settings/members`;
    const page = await (await dash("GET", members, { cookie: owner })).text();
    expect(page).toContain(`<option value="${roleId}">Finance</option>`);
    const invited = await dash("POST", members, { cookie: owner, form: { email: "fin@example.com", role: roleId } });
    expect(invited.status).toBe(303);
    expect(await env.DB.prepare("SELECT role_id FROM invites WHERE email = 'fin@example.com'").first("role_id")).toBe(
      roleId,
    );
    const refused = await dash("POST", members, { cookie: owner, form: { email: "x@example.com", role: foreign } });
    expect(refused.status).toBe(303);
    expect(await (await followRedirect(refused, owner)).text()).toContain("no such role");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM invites WHERE email = 'x@example.com'").first("n")).toBe(0);
  });
});

/** A form post with repeated fields (checkbox lists), which `dash` cannot express. */
async function postRaw(method: string, path: string, cookie: string, body: URLSearchParams) {
  return dash(method, path, {
    cookie,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    rawBody: body.toString(),
  });
}
