import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { totpCode } from "../../../src/lib/totp";
import {
  cookieFrom,
  createMember,
  createTenant,
  dash,
  followRedirect,
  SESSION,
  signIn,
  storedEvents,
  type Tenant,
} from "../../fixtures";

async function invite(tenant: Tenant, cookie: string, email: string, role = "member") {
  const response = await dash("POST", `/p/${tenant.project.id}/settings/members`, { cookie, form: { email, role } });
  // The link is shown once, on the page the change redirects to.
  const html = await (await followRedirect(response, cookie)).text();
  return { response, html, token: /\/invite\/([A-Za-z0-9_-]{30,})/.exec(html)?.[1] };
}

async function membershipOf(projectId: string, userId: string) {
  return env.DB.prepare("SELECT role FROM memberships WHERE project_id = ? AND user_id = ?")
    .bind(projectId, userId)
    .first<{ role: string }>();
}

async function inviteIdFor(projectId: string, email: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM invites WHERE project_id = ? AND email = ?")
    .bind(projectId, email)
    .first<{ id: string }>();
  if (!row) throw new Error(`no invitation of ${email}`);
  return row.id;
}

/** Every value that differs between two otherwise equal pages, replaced by a placeholder. */
function normalise(html: string, values: Record<string, string>): string {
  let out = html
    .replace(/nonce="[^"]+"/g, 'nonce="N"')
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, "TIME")
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?/g, "TIME");
  for (const [placeholder, value] of Object.entries(values)) out = out.split(value).join(placeholder);
  return out;
}

describe("adding someone to a project", () => {
  it("answers the same, byte for byte, whether or not the address has an account", async () => {
    const registered = await createMember(await createTenant(), "member", { email: "has.account@example.com" });
    const answers = [];
    for (const email of [registered.email, "no.account@example.com"]) {
      const tenant = await createTenant();
      const admin = await createMember(tenant, "admin");
      const { response, html, token } = await invite(tenant, await signIn(admin), email);
      if (!token) throw new Error(`no invitation link in ${html}`);
      answers.push({
        status: response.status,
        type: response.headers.get("Content-Type"),
        body: normalise(html, {
          PROJECT: tenant.project.id,
          ADMIN_ID: admin.userId,
          ADMIN: admin.email,
          INVITE_ID: await inviteIdFor(tenant.project.id, email),
          TOKEN: token,
          INVITEE: email,
        }),
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(303);
    expect(answers[0]?.body).toContain("Invitation for INVITEE created");
    expect(answers[0]?.body).not.toContain("already had an account");
  });

  it("lets an existing account join only by accepting, and keeps its own events out of projects it has not joined", async () => {
    const home = await createTenant();
    const user = await createMember(home, "member");
    const other = await createTenant();
    const admin = await createMember(other, "admin");
    const { response } = await invite(other, await signIn(admin), user.email, "viewer");
    expect(response.status).toBe(303);
    expect(await membershipOf(other.project.id, user.userId)).toBeNull();

    // The invited user's own activity: a failed sign-in, sign-ins, two-step on and off, a new
    // password, a sign-out.
    await dash("POST", "/login", {
      form: { email: user.email, password: "not-the-password" },
      headers: { "CF-Connecting-IP": "203.0.113.7", "User-Agent": "invitee-browser" },
    });
    let cookie = await signIn(user);
    const enrol = await (await dash("GET", "/account/totp", { cookie })).text();
    const secret = /Key: <code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol)?.[1]?.replace(/ /g, "") ?? "";
    const pending = /name="pending" value="([^"]+)"/.exec(enrol)?.[1] ?? "";
    const code = await totpCode(secret, Math.floor(Date.now() / 30_000));
    expect((await dash("POST", "/account/totp", { cookie, form: { pending, code } })).status).toBe(303);
    const off = await dash("POST", "/account/totp/disable", { cookie, form: { current_password: user.password } });
    expect(await (await followRedirect(off, cookie)).text()).toContain("Two-step verification is off.");
    const password = "a-brand-new-password";
    const changed = await dash("POST", "/account/password", {
      cookie,
      form: { current_password: user.password, password, password_confirm: password },
    });
    expect(await (await followRedirect(changed, cookie)).text()).toContain("Password changed.");
    expect((await dash("POST", "/logout", { cookie })).status).toBe(303);

    const homeTypes = async () => (await storedEvents(home.project.id)).map((e) => e.type);
    await vi.waitFor(async () => expect(await homeTypes()).toContain("user.login_failed"));
    expect(await homeTypes()).toEqual(
      expect.arrayContaining([
        "user.login",
        "user.totp_enabled",
        "user.totp_disabled",
        "user.password_changed",
        "user.logout",
      ]),
    );
    const leaked = (await storedEvents(other.project.id)).filter((e) => {
      const actor = e.actor as { id?: string; email?: string } | undefined;
      return actor?.id === user.userId || (e.category === "auth" && actor?.email === user.email);
    });
    expect(leaked).toEqual([]);

    // The invitation waits under Your projects; accepting it makes the membership.
    cookie = await signIn({ email: user.email, password });
    const projects = await (await dash("GET", "/projects", { cookie })).text();
    const inviteId = await inviteIdFor(other.project.id, user.email);
    expect(projects).toContain(`/account/invitations/${inviteId}/accept`);
    expect(projects).toContain(`/account/invitations/${inviteId}/decline`);
    expect(projects).not.toContain(`href="/p/${other.project.id}/events"`);
    expect((await dash("GET", `/p/${other.project.id}/events`, { cookie })).status).toBe(404);

    const accepted = await dash("POST", `/account/invitations/${inviteId}/accept`, { cookie });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("Location")).toBe(`/p/${other.project.id}/events`);
    expect(await membershipOf(other.project.id, user.userId)).toEqual({ role: "viewer" });
    expect((await dash("GET", `/p/${other.project.id}/events`, { cookie })).status).toBe(200);
    expect(await (await dash("GET", "/projects", { cookie })).text()).not.toContain("/accept");
    expect((await dash("POST", `/account/invitations/${inviteId}/accept`, { cookie })).status).toBe(404);

    // From now on the project gets the user's sign-ins.
    await signIn({ email: user.email, password });
    const [latest] = await storedEvents(other.project.id);
    expect(latest).toMatchObject({ type: "user.login", actor: { id: user.userId } });
  });

  it("lets the invited account decline, telling the project no more than that", async () => {
    const user = await createMember(await createTenant(), "member");
    const other = await createTenant();
    const admin = await createMember(other, "owner");
    const adminCookie = await signIn(admin);
    await invite(other, adminCookie, user.email);
    const inviteId = await inviteIdFor(other.project.id, user.email);
    const cookie = await signIn(user);

    const declined = await dash("POST", `/account/invitations/${inviteId}/decline`, { cookie });
    expect(declined.status).toBe(303);
    const after = await (await dash("GET", declined.headers.get("Location") ?? "/", { cookie })).text();
    expect(after).toContain("Invitation declined.");
    expect(after).not.toContain(inviteId);
    expect((await dash("POST", `/account/invitations/${inviteId}/accept`, { cookie })).status).toBe(404);
    expect(await membershipOf(other.project.id, user.userId)).toBeNull();
    const members = await (
      await dash("GET", `/p/${other.project.id}/settings/members`, { cookie: adminCookie })
    ).text();
    expect(members).not.toContain(`invites/${inviteId}/revoke`);
    const [event] = await storedEvents(other.project.id);
    expect(event).toMatchObject({ type: "invite.declined", actor: { email: user.email } });
    expect(event?.actor).not.toHaveProperty("id");
    expect(event?.actor).not.toHaveProperty("name");
  });

  it("lets no one else answer an invitation", async () => {
    const user = await createMember(await createTenant(), "member");
    const stranger = await createMember(await createTenant(), "owner");
    const other = await createTenant();
    const admin = await createMember(other, "admin");
    const { token } = await invite(other, await signIn(admin), user.email);
    const inviteId = await inviteIdFor(other.project.id, user.email);
    const cookie = await signIn(stranger);

    expect(await (await dash("GET", "/projects", { cookie })).text()).not.toContain(inviteId);
    expect((await dash("POST", `/account/invitations/${inviteId}/accept`, { cookie })).status).toBe(404);
    expect((await dash("POST", `/account/invitations/${inviteId}/decline`, { cookie })).status).toBe(404);
    const page = await (await dash("GET", `/invite/${token}`, { cookie })).text();
    expect(page).toContain(`You are signed in as ${stranger.email}`);
    const post = await dash("POST", `/invite/${token}`, { cookie });
    expect(post.status).toBe(409);
    // Nor can a visitor make a second account for the address with the link.
    const visitor = await dash("POST", `/invite/${token}`, {
      form: { name: "Mallory", password: "mallory-password", password_confirm: "mallory-password" },
    });
    expect(visitor.status).toBe(409);
    expect(await visitor.text()).toContain(`Sign in as ${user.email} first`);
    expect(await membershipOf(other.project.id, stranger.userId)).toBeNull();
    expect(await membershipOf(other.project.id, user.userId)).toBeNull();
    const accounts = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(user.email)
      .first<{ n: number }>();
    expect(accounts?.n).toBe(1);
  });

  it("shows the link's page alike for addresses with and without an account, and joins the signed-in account", async () => {
    const user = await createMember(await createTenant(), "member");
    const other = await createTenant();
    const admin = await createMember(other, "admin");
    const adminCookie = await signIn(admin);
    const pages = [];
    const tokens: string[] = [];
    for (const email of [user.email, "nobody.yet@example.com"]) {
      const { token } = await invite(other, adminCookie, email);
      if (!token) throw new Error("no invitation link");
      tokens.push(token);
      const response = await dash("GET", `/invite/${token}`);
      const id = await inviteIdFor(other.project.id, email);
      pages.push({
        status: response.status,
        body: normalise(await response.text(), { TOKEN: token, ID: id, INVITEE: email }),
      });
    }
    expect(pages[0]).toEqual(pages[1]);
    expect(pages[0]?.body).toContain("Create account and join");
    expect(pages[0]?.body).toContain("Sign in as INVITEE");

    const token = tokens[0] ?? "";
    const login = await dash("POST", "/login", {
      form: { email: user.email, password: user.password, next: `/invite/${token}` },
    });
    expect(login.headers.get("Location")).toBe(`/invite/${token}`);
    const cookie = cookieFrom(login, SESSION);
    expect(await (await dash("GET", `/invite/${token}`, { cookie })).text()).toContain(`Join ${other.project.name}`);
    const joined = await dash("POST", `/invite/${token}`, { cookie });
    expect(joined.status).toBe(303);
    expect(joined.headers.get("Location")).toBe(`/p/${other.project.id}/events`);
    expect(await membershipOf(other.project.id, user.userId)).toEqual({ role: "member" });
    expect((await storedEvents(other.project.id)).map((e) => e.type)).toContain("member.joined");
  });

  it("no longer creates accounts with a one-time password", async () => {
    const tenant = await createTenant();
    const owner = await createMember(tenant, "owner");
    const { html } = await invite(tenant, await signIn(owner), "temp@example.com");
    const page = await dash("POST", `/p/${tenant.project.id}/settings/members`, {
      cookie: await signIn(owner),
      form: { email: "temp2@example.com", role: "member", method: "password" },
    });
    expect(await (await followRedirect(page, await signIn(owner))).text()).toContain(
      "Invitation for temp2@example.com created",
    );
    expect(html).not.toContain('name="method"');
    const accounts = await env.DB.prepare(
      "SELECT count(*) AS n FROM users WHERE email IN ('temp@example.com', 'temp2@example.com')",
    ).first<{ n: number }>();
    expect(accounts?.n).toBe(0);
  });
});
