import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
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
  storedRowsText,
} from "../../fixtures";

const PENDING = "__Host-tb_pending";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("sign-in", () => {
  it("serves the form with strict headers", async () => {
    const response = await dash("GET", "/login");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('name="email"');
    expect(html).toContain('name="password"');
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toMatch(/script-src 'nonce-[^']+' 'self'/);
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(html).toContain(`nonce="${nonce}"`);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("signs in with a hardened session cookie and records the sign-in in every project", async () => {
    const a = await createTenant();
    const b = await createTenant();
    const member = await createMember(a, "admin");
    await env.DB.prepare("INSERT INTO memberships (project_id, user_id, role, created_at) VALUES (?, ?, 'viewer', 0)")
      .bind(b.project.id, member.userId)
      .run();

    const response = await dash("POST", "/login", {
      form: { email: member.email.toUpperCase(), password: member.password },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/");
    const header = response.headers.getSetCookie().find((h) => h.startsWith(`${SESSION}=`)) ?? "";
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/Secure/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).toMatch(/Path=\//);
    expect(header).not.toMatch(/Domain=/i);

    const home = await dash("GET", "/", { cookie: cookieFrom(response, SESSION) });
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain(member.email);
    expect(html).toContain("Sign out");
    expect(html).toContain(a.project.name);

    for (const tenant of [a, b]) {
      const [login] = await storedEvents(tenant.project.id);
      expect(login).toMatchObject({
        category: "auth",
        type: "user.login",
        status: "success",
        source: "dashboard",
        actor: { id: member.userId, email: member.email },
        request: { ip: "198.51.100.1", user_agent: "vitest-browser" },
      });
    }
    // The session token is stored only as a hash.
    const token = cookieFrom(response, SESSION)?.split("=")[1] ?? "";
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE token_hash = ?")
      .bind(token)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });

  it("gives the same answer for a wrong password and an unknown e-mail, and records the failure", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const wrong = await dash("POST", "/login", { form: { email: member.email, password: "guess-one-two" } });
    const unknown = await dash("POST", "/login", { form: { email: "nobody@example.com", password: "guess-one-two" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toContain("Email or password is incorrect.");
    expect(b).toContain("Email or password is incorrect.");
    expect(a).toContain('role="alert"');
    expect(a).not.toContain("guess-one-two");
    expect(cookieFrom(wrong, SESSION)).toBeUndefined();

    // Written after the answer, so a known address costs no more time than an unknown one.
    const failed = await vi.waitFor(async () => {
      const [event] = await storedEvents(tenant.project.id);
      if (!event) throw new Error("the failed sign-in is not recorded yet");
      return event;
    });
    expect(failed).toMatchObject({
      category: "auth",
      type: "user.login_failed",
      status: "failure",
      request: { ip: "198.51.100.1", user_agent: "vitest-browser" },
    });
    expect(await storedRowsText(tenant.project.id)).not.toContain("guess-one-two");
  });

  it("rejects an empty form with a readable message", async () => {
    const response = await dash("POST", "/login", { form: { email: "", password: "" } });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("enter your e-mail address");
  });

  it("throttles an account after 5 failures, even with the right password next", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    for (let i = 0; i < 5; i++) {
      const r = await dash("POST", "/login", {
        form: { email: member.email, password: `wrong-${i}-xxxx` },
        headers: { "CF-Connecting-IP": `192.0.2.${i}` },
      });
      expect(r.status).toBe(401);
    }
    const locked = await dash("POST", "/login", {
      form: { email: member.email, password: member.password },
      headers: { "CF-Connecting-IP": "192.0.2.99" },
    });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toMatch(/Too many failed sign-ins\. For your security, try again in 15 minutes\./);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(800);
    expect(cookieFrom(locked, SESSION)).toBeUndefined();
    // An unknown address is throttled the same way, so a lockout reveals nothing.
    for (let i = 0; i < 5; i++)
      await dash("POST", "/login", {
        form: { email: "ghost@example.com", password: "x".repeat(12) },
        headers: { "CF-Connecting-IP": `192.0.2.${i + 10}` },
      });
    expect(
      (await dash("POST", "/login", { form: { email: "ghost@example.com", password: "x".repeat(12) } })).status,
    ).toBe(429);
  });

  it("counts parallel guesses before checking any: of 31 at once, only the first 5 are checked", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const guesses = Array.from({ length: 31 }, (_, i) => (i === 15 ? member.password : `wrong-guess-${i}`));
    const responses = await Promise.all(
      guesses.map((password, i) =>
        dash("POST", "/login", {
          form: { email: member.email, password },
          headers: { "CF-Connecting-IP": `192.0.2.${100 + i}` },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    const checked = statuses.filter((s) => s !== 429);
    expect(checked, statuses.join(",")).toHaveLength(5);
    expect(
      checked.every((s) => s === 401 || s === 303),
      statuses.join(","),
    ).toBe(true);
    expect(statuses.filter((s) => s === 303).length).toBeLessThanOrEqual(1);
    // A session exists only if the right password was among the checked ones.
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?")
      .bind(member.userId)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(statuses.filter((s) => s === 303).length);
  });

  it("runs exactly one PBKDF2 verification on every path, throttled or not, known address or not", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
    const pbkdf2Runs = async (form: Record<string, string>, ip: string) => {
      deriveBits.mockClear();
      const response = await dash("POST", "/login", { form, headers: { "CF-Connecting-IP": ip } });
      const runs = deriveBits.mock.calls.filter(([algorithm]) => (algorithm as { name?: string }).name === "PBKDF2");
      return { status: response.status, runs: runs.length };
    };
    expect(await pbkdf2Runs({ email: "nobody.here@example.com", password: "guess-guess" }, "192.0.2.201")).toEqual({
      status: 401,
      runs: 1,
    });
    expect(await pbkdf2Runs({ email: member.email, password: "guess-guess" }, "192.0.2.202")).toEqual({
      status: 401,
      runs: 1,
    });
    expect(await pbkdf2Runs({ email: member.email, password: member.password }, "192.0.2.203")).toEqual({
      status: 303,
      runs: 1,
    });
    for (let i = 0; i < 5; i++) {
      const headers = { "CF-Connecting-IP": `192.0.2.${210 + i}` };
      await dash("POST", "/login", { form: { email: member.email, password: `wrong-${i}-xx` }, headers });
      await dash("POST", "/login", {
        form: { email: "ghost.throttled@example.com", password: `wrong-${i}-xx` },
        headers,
      });
    }
    expect(await pbkdf2Runs({ email: member.email, password: member.password }, "192.0.2.204")).toEqual({
      status: 429,
      runs: 1,
    });
    expect(await pbkdf2Runs({ email: "ghost.throttled@example.com", password: "guess" }, "192.0.2.205")).toEqual({
      status: 429,
      runs: 1,
    });
  });

  it("throttles an address after 20 failures across accounts", async () => {
    const ip = "203.0.113.200";
    for (let i = 0; i < 20; i++) {
      await dash("POST", "/login", {
        form: { email: `spray${i}@example.com`, password: "password-123" },
        headers: { "CF-Connecting-IP": ip },
      });
    }
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const response = await dash("POST", "/login", {
      form: { email: member.email, password: member.password },
      headers: { "CF-Connecting-IP": ip },
    });
    expect(response.status).toBe(429);
    expect((await dash("POST", "/login", { form: { email: member.email, password: member.password } })).status).toBe(
      303,
    );
  });

  it("signs out: the cookie stops working and the logout is recorded", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const cookie = await signIn(member);
    // The page first, so this isolate keeps the session's membership (src/services/session-cache.ts).
    expect((await dash("GET", `/p/${tenant.project.id}/events`, { cookie })).status).toBe(200);
    const out = await dash("POST", "/logout", { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get("Location")).toBe("/login?signed_out=1");
    const after = await dash("GET", `/p/${tenant.project.id}/events`, { cookie });
    expect(after.status).toBe(303);
    expect(after.headers.get("Location")).toContain("/login");
    expect((await storedEvents(tenant.project.id))[0]).toMatchObject({ type: "user.logout", category: "auth" });
  });

  it("ends sessions after 8 idle hours or 7 days", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const idle = await signIn(member);
    const old = await signIn(member);
    const hash = async (cookie: string) => {
      const token = cookie.split("=")[1] ?? "";
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    };
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 9 * 3600_000, await hash(idle))
      .run();
    await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1000, await hash(old))
      .run();
    expect((await dash("GET", "/projects", { cookie: idle })).status).toBe(303);
    expect((await dash("GET", "/projects", { cookie: old })).status).toBe(303);
    expect((await dash("GET", "/projects", { cookie: await signIn(member) })).status).toBe(200);
  });

  it("lists sessions and revokes another one", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const mine = await signIn(member);
    const other = await signIn(member, { "User-Agent": "Other browser" });
    const page = await (await dash("GET", "/account", { cookie: mine })).text();
    expect(page).toContain("Other browser");
    expect(page).toContain("this browser");
    const id = /\/account\/sessions\/(ses_[a-z0-9]+)\/revoke/.exec(page)?.[1];
    if (!id) throw new Error("no revoke button for the other session");
    const revoked = await followRedirect(await dash("POST", `/account/sessions/${id}/revoke`, { cookie: mine }), mine);
    expect(await revoked.text()).toContain("That session was signed out.");
    expect((await dash("GET", "/projects", { cookie: other })).status).toBe(303);
    expect((await dash("GET", "/projects", { cookie: mine })).status).toBe(200);
  });

  it("refuses a session cookie sent by another site's form (CSRF) and changes nothing", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "owner");
    const cookie = await signIn(member);
    const form = { name: "Hijacked", timezone: "UTC", retention_days: "1", redaction_keys: "" };
    for (const origin of ["https://evil.example", null]) {
      const response = await dash("POST", `/p/${tenant.project.id}/settings`, { cookie, form, origin });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("sent from another site");
    }
    const row = await env.DB.prepare("SELECT name, retention_days FROM projects WHERE id = ?")
      .bind(tenant.project.id)
      .first();
    expect(row).toEqual({ name: "Test project", retention_days: 365 });
    // A browser that sends no Origin but says the request is same-origin is let through.
    const same = await dash("POST", `/p/${tenant.project.id}/settings`, {
      cookie,
      form,
      origin: null,
      headers: { "Sec-Fetch-Site": "same-origin" },
    });
    expect(same.status).toBe(303);
  });
});

describe("two-step verification", () => {
  async function enrol(cookie: string): Promise<{ secret: string; recovery: string[] }> {
    const page = await (await dash("GET", "/account/totp", { cookie })).text();
    expect(page).toContain("<svg");
    const secret = /Key: <code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page)?.[1]?.replace(/ /g, "");
    const pending = /name="pending" value="([^"]+)"/.exec(page)?.[1];
    if (!secret || !pending) throw new Error("no secret on the enrolment page");
    const wrong = await dash("POST", "/account/totp", { cookie, form: { pending, code: "000000" } });
    expect(wrong.status).toBe(422);
    // A mistyped code keeps the secret the app already scanned.
    const again = await wrong.text();
    expect(again).toContain("That code did not match; try the current code from your app.");
    expect(again).toContain(`name="pending" value="${pending}"`);
    expect(again.replace(/ /g, "")).toContain(secret);
    const code = await totpCode(secret, Math.floor(Date.now() / 30_000));
    const done = await dash("POST", "/account/totp", { cookie, form: { pending, code } });
    expect(done.headers.get("Location")).toBe("/account/recovery-codes");
    const shown = await followRedirect(done, cookie);
    const html = await shown.text();
    expect(shown.status, html).toBe(200);
    // Shown once: the page does not show them again.
    expect((await dash("GET", "/account/recovery-codes", { cookie })).status).toBe(303);
    const recovery = [...html.matchAll(/<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/li>/g)].map((m) => m[1] ?? "");
    expect(recovery).toHaveLength(10);
    return { secret, recovery };
  }

  async function passwordStep(member: { email: string; password: string }): Promise<string> {
    const response = await dash("POST", "/login", { form: { email: member.email, password: member.password } });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/login/totp");
    expect(cookieFrom(response, SESSION)).toBeUndefined();
    const pending = cookieFrom(response, PENDING);
    if (!pending) throw new Error("no pending cookie");
    return pending;
  }

  it("enrols, then asks for a code at sign-in; a code works once, recovery codes once", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const { secret, recovery } = await enrol(await signIn(member));

    const stored = await env.DB.prepare("SELECT totp_secret FROM users WHERE id = ?")
      .bind(member.userId)
      .first<{ totp_secret: string }>();
    expect(stored?.totp_secret).toMatch(/^v1\./);
    expect(stored?.totp_secret).not.toContain(secret);

    let pending = await passwordStep(member);
    const bad = await dash("POST", "/login/totp", { cookie: pending, form: { code: "123456" } });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("That code is not valid");
    // The enrolment used this time step's code; the next step's is within the allowed drift.
    const code = await totpCode(secret, Math.floor(Date.now() / 30_000) + 1);
    const ok = await dash("POST", "/login/totp", { cookie: pending, form: { code } });
    expect(ok.status).toBe(303);
    expect((await dash("GET", "/projects", { cookie: cookieFrom(ok, SESSION) })).status).toBe(200);

    // The same code cannot be replayed for another sign-in.
    pending = await passwordStep(member);
    expect((await dash("POST", "/login/totp", { cookie: pending, form: { code } })).status).toBe(401);
    const first = recovery[0] ?? "";
    expect((await dash("POST", "/login/totp", { cookie: pending, form: { code: first } })).status).toBe(303);
    pending = await passwordStep(member);
    expect((await dash("POST", "/login/totp", { cookie: pending, form: { code: first } })).status).toBe(401);

    const events = await storedEvents(tenant.project.id);
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["user.totp_enabled", "user.otp_requested", "user.otp_verified"]));
    expect(events.some((e) => e.type === "user.otp_verified" && e.status === "failure")).toBe(true);
    const raw = await storedRowsText(tenant.project.id);
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(member.password);
    for (const r of recovery) expect(raw).not.toContain(r);
  });

  it("locks the code step after 5 wrong codes, however often the password is entered again", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const { secret } = await enrol(await signIn(member));
    const wrongCode = async (pending: string) =>
      (
        await dash("POST", "/login/totp", {
          cookie: pending,
          form: { code: "000000" },
          headers: { "CF-Connecting-IP": "192.0.2.220" },
        })
      ).status;
    // Each new password step used to clear the count: 2 + 2 + 1 wrong codes through three of them.
    for (const tries of [2, 2, 1]) {
      const pending = await passwordStep(member);
      for (let i = 0; i < tries; i++) expect(await wrongCode(pending)).toBe(401);
    }
    const code = await totpCode(secret, Math.floor(Date.now() / 30_000) + 1);
    const pending = await passwordStep(member);
    const locked = await dash("POST", "/login/totp", { cookie: pending, form: { code } });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain("try again in 15 minutes");
    expect(cookieFrom(locked, SESSION)).toBeUndefined();
    const again = await dash("POST", "/login/totp", { cookie: await passwordStep(member), form: { code } });
    expect(again.status).toBe(429);

    // When the window has passed, the right code works and clears the count.
    await env.DB.prepare("UPDATE login_throttle SET window_start = window_start - 15 * 60 * 1000 WHERE key = ?")
      .bind(`totp:${member.userId}`)
      .run();
    const ok = await dash("POST", "/login/totp", { cookie: await passwordStep(member), form: { code } });
    expect(ok.status).toBe(303);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM login_throttle WHERE key = ?")
      .bind(`totp:${member.userId}`)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("keeps counting wrong codes across password steps until a right one", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const { secret } = await enrol(await signIn(member));
    const failures = async () =>
      (
        await env.DB.prepare("SELECT failures FROM login_throttle WHERE key = ?")
          .bind(`totp:${member.userId}`)
          .first<{ failures: number }>()
      )?.failures ?? 0;
    for (let i = 0; i < 3; i++) {
      const pending = await passwordStep(member);
      const wrong = await dash("POST", "/login/totp", {
        cookie: pending,
        form: { code: "999999" },
        headers: { "CF-Connecting-IP": "192.0.2.221" },
      });
      expect(wrong.status).toBe(401);
    }
    expect(await failures()).toBe(3);
    const pending = await passwordStep(member);
    expect(await failures()).toBe(3);
    const code = await totpCode(secret, Math.floor(Date.now() / 30_000) + 1);
    expect((await dash("POST", "/login/totp", { cookie: pending, form: { code } })).status).toBe(303);
    expect(await failures()).toBe(0);
  });

  it("sends an expired or missing second step back to the password", async () => {
    const response = await dash("GET", "/login/totp");
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/login?expired=1");
    const post = await dash("POST", "/login/totp", { form: { code: "123456" } });
    expect(post.headers.get("Location")).toBe("/login?expired=1");
  });
});

describe("account", () => {
  it("changes the password, signing out other sessions", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const cookie = await signIn(member);
    const other = await signIn(member);
    const mismatch = await dash("POST", "/account/password", {
      cookie,
      form: { current_password: member.password, password: "a-new-password", password_confirm: "another-one!" },
    });
    expect(await (await followRedirect(mismatch, cookie)).text()).toContain("the two passwords differ");
    const wrong = await dash("POST", "/account/password", {
      cookie,
      form: { current_password: "not-it-at-all", password: "a-new-password", password_confirm: "a-new-password" },
    });
    expect(await (await followRedirect(wrong, cookie)).text()).toContain("Your current password is not correct.");
    const ok = await dash("POST", "/account/password", {
      cookie,
      form: { current_password: member.password, password: "a-new-password", password_confirm: "a-new-password" },
    });
    expect(await (await followRedirect(ok, cookie)).text()).toContain("Password changed.");
    expect((await dash("GET", "/projects", { cookie: other })).status).toBe(303);
    expect((await dash("GET", "/projects", { cookie })).status).toBe(200);
    await signIn({ email: member.email, password: "a-new-password" });
    expect(await storedRowsText(tenant.project.id)).not.toContain("a-new-password");
  });

  it("makes a one-time password be changed before anything else", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    await env.DB.prepare("UPDATE users SET must_change_password = 1 WHERE id = ?").bind(member.userId).run();
    const cookie = await signIn(member);
    const blocked = await dash("GET", `/p/${tenant.project.id}/events`, { cookie });
    expect(blocked.status).toBe(303);
    expect(blocked.headers.get("Location")).toBe("/account");
    await dash("POST", "/account/password", {
      cookie,
      form: { current_password: member.password, password: "my-own-password", password_confirm: "my-own-password" },
    });
    expect((await dash("GET", `/p/${tenant.project.id}/events`, { cookie })).status).toBe(200);
  });
});
