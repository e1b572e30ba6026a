import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createTenant, expectJson } from "../../fixtures";

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

/** Every column of every row the event left in D1, as one string. */
async function rawContents(projectId: string): Promise<string> {
  const events = await env.DB.prepare("SELECT * FROM events WHERE project_id = ?").bind(projectId).all();
  const changes = await env.DB.prepare("SELECT * FROM event_changes WHERE project_id = ?").bind(projectId).all();
  return JSON.stringify([events.results, changes.results]);
}

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
    const raw = await rawContents(tenant.project.id);
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
