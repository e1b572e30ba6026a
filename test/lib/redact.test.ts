import { describe, expect, it } from "vitest";
import { redact, sensitiveKeyMatcher } from "../../src/lib/redact";
import { api, createTenant, expectJson, storedRowsText } from "../fixtures";

const SECRETS = [
  "hunter2",
  "sk_live_abc",
  "Bearer xyz",
  "sess_cookie_1",
  "4111111111111111",
  "iban-DE89",
  "form-pass-1",
  "json-token-1",
];

describe("redaction", () => {
  it("never lets a sensitive value reach the database", async () => {
    const tenant = await createTenant({ redactionKeys: ["iban"] });
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: {
          type: "user.updated",
          changes: { password: ["old", "hunter2"], "profile.iban": ["", "iban-DE89"], name: ["A", "B"] },
          metadata: { nested: [{ api_key: "sk_live_abc" }], IBAN: "iban-DE89", Card_Number: "4111111111111111" },
          request: {
            method: "post",
            path: "/login",
            headers: { Authorization: "Bearer xyz", Cookie: "sess_cookie_1", Accept: "application/json" },
            query: "user=jane&password=form-pass-1",
            body: '{"user":"jane","refresh_token":"json-token-1"}',
            response_body: { session: { id: "sess_cookie_1" }, ok: true },
          },
        },
      }),
      201,
    );
    const raw = await storedRowsText(tenant.project.id);
    for (const secret of SECRETS) expect(raw).not.toContain(secret);
    expect(raw).toContain("[REDACTED]");
    // Non-sensitive neighbours survive, and the changed-field index still knows the key changed.
    expect(raw).toContain("application/json");
    expect(raw).toContain('"password"');
    const page = await expectJson<{
      data: {
        request: { query: string; body: string; headers: Record<string, string> };
        changes: Record<string, unknown>;
      }[];
    }>(await api("GET", "/v1/events?limit=1", { key: tenant.keys.read }), 200);
    const stored = page.data[0];
    if (!stored) throw new Error("the event was not listed");
    expect(stored.changes).toEqual({ password: "[REDACTED]", "profile.iban": "[REDACTED]", name: ["A", "B"] });
    expect(stored.request.headers).toEqual({
      Authorization: "[REDACTED]",
      Cookie: "[REDACTED]",
      Accept: "application/json",
    });
    expect(stored.request.query).toBe("user=jane&password=%5BREDACTED%5D");
    expect(JSON.parse(stored.request.body)).toEqual({ user: "jane", refresh_token: "[REDACTED]" });
  });

  it("hashes the redacted event, so the same secret-bearing event twice is a duplicate", async () => {
    const tenant = await createTenant();
    const event = { id: "evt_same", type: "user.login", metadata: { password: "one" } };
    const first = await expectJson<{ hash: string }>(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: event }),
      201,
    );
    const second = await expectJson<{ hash: string; duplicate: boolean }>(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { ...event, metadata: { password: "two" } } }),
      201,
    );
    expect(second).toMatchObject({ hash: first.hash, duplicate: true });
  });
});

describe("sensitive keys", () => {
  const isSensitive = sensitiveKeyMatcher(["iban"]);

  it.each([
    "password",
    "newPassword",
    "passphrase",
    "wallet_passphrase",
    "private_key",
    "privateKey",
    "PRIVATE-KEY",
    "credentials",
    "aws_credentials",
    "auth",
    "X-Auth",
    "basicAuth",
    "auth_header",
    "otp",
    "otp_code",
    "otpCode",
    "pin",
    "PIN",
    "pin_code",
    "cardPin",
    "secret_answer",
    "secret_question_answer",
    "client_secret",
    "ssn",
    "userSSN",
    "X-Api-Key",
    "refresh_token",
    "IBAN",
    "profile.iban",
  ])("redacts %s", (key) => {
    expect(isSensitive(key)).toBe(true);
  });

  it.each([
    "author",
    "authorName",
    "author_id",
    "authority",
    "authored_at",
    "oauth_provider",
    "pinned",
    "isPinned",
    "spinner",
    "spinnerColor",
    "pinterest_url",
    "footprint",
    "businessName",
    "classname",
    "ibanVerified",
    "name",
  ])("keeps %s", (key) => {
    expect(isSensitive(key)).toBe(false);
  });
});

describe("redacting strings", () => {
  const isSensitive = sensitiveKeyMatcher([]);
  const R = "%5BREDACTED%5D";

  it.each([
    ["/login?token=abc123&user=jane", `/login?token=${R}&user=jane`],
    ["/v1/things?api_key=k-1#frag", `/v1/things?api_key=${R}#frag`],
    ["https://app.example/cb#access_token=t-1&state=s", `https://app.example/cb#access_token=${R}&state=s`],
    ["see https://x.example/a?b=1&password=p-1 for more", `see https://x.example/a?b=1&password=${R}`],
    ["https://user:pw-1@db.example:5432/x", `https://${R}@db.example:5432/x`],
    ["a=1 & password = hunter 2 & b=2", `a=1 & password = ${R}& b=2`],
    ["new+password=hunter+2&b=2", `new+password=${R}&b=2`],
    ["a=1&pass%77ord=x-1", `a=1&pass%77ord=${R}`],
    ["user=jane token=abc otp = 123456 n=1", `user=jane token=${R} otp = ${R} n=1`],
    ["author=jane&pinned=true&spinner=on", "author=jane&pinned=true&spinner=on"],
    ["/posts?author=jane&authority=x", "/posts?author=jane&authority=x"],
    ["x = 5", "x = 5"],
    ["password=", "password="],
  ])("%s", (input, expected) => {
    expect(redact(input, isSensitive)).toBe(expected);
  });

  it("reads JSON inside JSON strings at any depth and leaves strings without secrets as written", () => {
    const inner = JSON.stringify({ pin: "1234", author: "jane" });
    const middle = JSON.stringify({ payload: inner, note: "ok" });
    const outer = JSON.stringify({ envelope: middle, list: [JSON.stringify([{ auth: "a-1" }])] });
    const out = redact({ body: outer, plain: '{ "pretty": true }' }, isSensitive) as Record<string, string>;
    expect(out.plain).toBe('{ "pretty": true }');
    const o = JSON.parse(out.body ?? "") as { envelope: string; list: string[] };
    const m = JSON.parse(o.envelope) as { payload: string; note: string };
    expect(JSON.parse(m.payload)).toEqual({ pin: "[REDACTED]", author: "jane" });
    expect(m.note).toBe("ok");
    expect(JSON.parse(o.list[0] ?? "")).toEqual([{ auth: "[REDACTED]" }]);
    // A JSON string that holds a form body or a URL.
    expect(redact(JSON.stringify("a=1&secret_x=s"), isSensitive)).toBe(JSON.stringify(`a=1&secret_x=${R}`));
  });

  it("replaces what is nested too deep to inspect, without running out of stack", () => {
    let deep: unknown = { password: "deep-1" };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(JSON.stringify(redact(deep, isSensitive))).not.toContain("deep-1");
    // Arrays and JSON strings count together: three strings each holding thirty arrays.
    let wrapped = JSON.stringify({ password: "deep-2" });
    for (let level = 0; level < 3; level++) {
      let arrays: unknown = wrapped;
      for (let i = 0; i < 30; i++) arrays = [arrays];
      wrapped = JSON.stringify(arrays);
    }
    expect(JSON.stringify(redact(wrapped, isSensitive))).not.toContain("deep-2");
  });
});

describe("redaction of every form through the API", () => {
  it("stores no secret sent in paths, URLs, nested JSON or loose form bodies, and keeps look-alike keys", async () => {
    const tenant = await createTenant();
    const secrets = ["qs-token-1", "qs-key-2", "nested-3", "form-pass-4", "plus+enc+5", "pp-6", "pk-7", "pin-8"];
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: {
          type: "user.updated",
          changes: { callback_url: ["https://a.example/x", "https://a.example/x?token=qs-token-1"] },
          metadata: {
            author: "Jane Austen",
            pinned: true,
            spinner: "dots",
            authority: "registry",
            raw: JSON.stringify({ inner: JSON.stringify({ credentials: { user: "u", pass: "nested-3" } }) }),
            passphrase: "pp-6",
            private_key: "pk-7",
            link: "https://hooks.example/h?api_key=qs-key-2",
          },
          request: {
            method: "post",
            path: "/login?api_key=qs-key-2&next=/home",
            body: "user=jane & password = form-pass-4",
            query: "a=1&secret_value=plus+enc+5",
            response_body: { otp: "123456", pin: "pin-8", spinner: "x" },
          },
        },
      }),
      201,
    );
    const raw = await storedRowsText(tenant.project.id);
    for (const secret of secrets) expect(raw).not.toContain(secret);
    expect(raw).not.toContain("123456");
    const page = await expectJson<{
      data: { metadata: Record<string, unknown>; request: Record<string, unknown> }[];
    }>(await api("GET", "/v1/events?limit=1", { key: tenant.keys.read }), 200);
    const stored = page.data[0];
    if (!stored) throw new Error("the event was not listed");
    expect(stored.metadata).toMatchObject({
      author: "Jane Austen",
      pinned: true,
      spinner: "dots",
      authority: "registry",
      passphrase: "[REDACTED]",
      private_key: "[REDACTED]",
    });
    expect(stored.request.path).toBe("/login?api_key=%5BREDACTED%5D&next=/home");
    expect(stored.request.body).toBe("user=jane & password = %5BREDACTED%5D");
    expect(stored.request.response_body).toEqual({ otp: "[REDACTED]", pin: "[REDACTED]", spinner: "x" });
  });
});
