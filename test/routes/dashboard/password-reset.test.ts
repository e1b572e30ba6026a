import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { requestPasswordReset } from "../../../src/services/auth/password-reset";
import { createMember, createTenant, dash, signIn, storedEvents, systemContext } from "../../fixtures";

/** The link a request printed (no e-mail binding in tests), waiting for the work after the answer. */
async function requestLink(
  email: string,
  ip = "198.51.100.40",
): Promise<{ status: number; body: string; link?: string }> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    const response = await dash("POST", "/login/forgot", { form: { email }, headers: { "CF-Connecting-IP": ip } });
    const body = await response.text();
    let printed: string | undefined;
    for (let i = 0; i < 40 && !printed; i++) {
      printed = log.mock.calls.map((c) => String(c[0])).find((line) => line.includes(`reset link for ${email}`));
      if (!printed) await new Promise((r) => setTimeout(r, 50));
    }
    const link = printed ? /(\/login\/reset\?token=[A-Za-z0-9_%-]+)/.exec(printed)?.[1] : undefined;
    return { status: response.status, body, ...(link && { link }) };
  } finally {
    log.mockRestore();
  }
}

function flashOf(html: string): string {
  return /<div class="alert[^"]*"[^>]*>([^<]*)</.exec(html)?.[1] ?? "";
}

describe("forgot password", () => {
  it("answers alike for known and unknown addresses, and e-mails (records) a link only to an account", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "admin");
    const known = await requestLink(member.email);
    const unknown = await requestLink("nobody.here@example.com");
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(flashOf(known.body)).toBe(flashOf(unknown.body));
    const normal = (html: string, email: string) => html.replaceAll(email, "X").replace(/nonce="[^"]+"/g, "");
    expect(normal(known.body, member.email)).toBe(normal(unknown.body, "nobody.here@example.com"));
    expect(known.link).toBeDefined();
    expect(unknown.link).toBeUndefined();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM password_resets").first("n")).toBe(1);
    const stored = await env.DB.prepare("SELECT token_hash FROM password_resets").first<{ token_hash: string }>();
    expect(known.link).not.toContain(stored?.token_hash);
    const mail = (await storedEvents(tenant.project.id)).find((e) => e.type === "email.sent");
    expect(mail).toMatchObject({
      category: "email",
      status: "pending",
      summary: `Password reset e-mail to ${member.email}`,
      metadata: { to: member.email, email_type: "password_reset" },
    });
    // The link is a credential: it is in no event.
    const token = decodeURIComponent(known.link?.split("token=")[1] ?? "");
    expect(JSON.stringify(await storedEvents(tenant.project.id))).not.toContain(token);
  });

  it("resets once within 30 minutes, ends every session, and the new password signs in", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    const session = await signIn(member);
    const { link } = await requestLink(member.email);
    if (!link) throw new Error("no link printed");
    const token = decodeURIComponent(link.split("token=")[1] ?? "");
    const form = await dash("GET", link);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="password_confirm"');

    const mismatch = await dash("POST", "/login/reset", {
      form: { token, password: "a-new-password-1", password_confirm: "something else" },
    });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain("the two passwords differ");

    const done = await dash("POST", "/login/reset", {
      form: { token, password: "a-new-password-1", password_confirm: "a-new-password-1" },
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/login?reset=1");
    expect((await dash("GET", `/p/${tenant.project.id}/events`, { cookie: session })).status).toBe(303);
    await signIn({ email: member.email, password: "a-new-password-1" });
    await expect(signIn(member)).rejects.toThrow(/sign-in failed: 401/);

    const again = await dash("POST", "/login/reset", {
      form: { token, password: "another-password-2", password_confirm: "another-password-2" },
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("does not work any more");
    expect((await dash("GET", link)).status).toBe(400);
    expect((await storedEvents(tenant.project.id)).map((e) => e.type)).toContain("user.password_reset");
  });

  it("refuses a link older than 30 minutes, and a made-up token", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "viewer");
    const { link } = await requestLink(member.email);
    if (!link) throw new Error("no link printed");
    await env.DB.prepare("UPDATE password_resets SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expect((await dash("GET", link)).status).toBe(400);
    const token = decodeURIComponent(link.split("token=")[1] ?? "");
    const late = await dash("POST", "/login/reset", {
      form: { token, password: "a-new-password-1", password_confirm: "a-new-password-1" },
    });
    expect(late.status).toBe(400);
    const madeUp = await dash("POST", "/login/reset", {
      form: { token: "x".repeat(43), password: "a-new-password-1", password_confirm: "a-new-password-1" },
    });
    expect(madeUp.status).toBe(400);
    await signIn(member);
  });

  it("throttles requests per address and per IP like sign-ins, the same for unknown addresses", async () => {
    const ctx = systemContext();
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push((await requestPasswordReset(ctx, { email: "ghost@example.com", origin: "http://t" })).kind);
    expect(results).toEqual(["sent", "sent", "sent", "sent", "sent", "throttled"]);
    const response = await dash("POST", "/login/forgot", { form: { email: "ghost@example.com" } });
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await response.text()).toContain("Too many requests");
    const other = await dash("POST", "/login/forgot", { form: { email: "someone.else@example.com" } });
    expect(other.status).toBe(200);
  });

  it("is offered on the sign-in page and refuses a cross-site post", async () => {
    expect(await (await dash("GET", "/login")).text()).toContain('href="/login/forgot"');
    const refused = await dash("POST", "/login/forgot", {
      form: { email: "a@example.com" },
      origin: "https://evil.example",
    });
    expect(refused.status).toBe(403);
  });
});
