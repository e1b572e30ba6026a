import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromBase64url, toBase64url } from "../../../src/lib/signing";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { KEY_CACHE_MS } from "../../../src/services/key-cache";
import { createApiKey } from "../../../src/services/keys/create";
import { startRetention } from "../../../src/services/retention/run";
import { startMove } from "../../../src/services/shards/move";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  expectProblem,
  followRedirect,
  projectContext,
  shardOf,
  signIn,
  storedEvents,
  systemContext,
  type Tenant,
} from "../../fixtures";

// A move's clean-up starts KEY_CACHE_MS after its switch (src/services/shards/move.ts).
const MOVE_TEST_MS = KEY_CACHE_MS + 10_000;

// Customer-side signatures (README "Customer-side signatures").

type Pair = { publicKey: string; sign: (body: string | Uint8Array) => Promise<string> };

async function keyPair(): Promise<Pair> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return {
    publicKey: toBase64url(raw),
    sign: async (body) => {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, bytes));
      // Standard base64 with padding, as most clients write it.
      return btoa(String.fromCharCode(...signature));
    },
  };
}

async function signingKey(tenant: Tenant, pair: Pair, scope: "ingest" | "admin" = "ingest"): Promise<string> {
  const { secret } = await createApiKey(projectContext(tenant.project), {
    name: "signed",
    scope,
    publicKey: pair.publicKey,
  });
  return secret;
}

const post = (key: string, path: string, body: string, signature?: string) =>
  api("POST", path, {
    key,
    rawBody: body,
    headers: {
      "Content-Type": "application/json",
      ...(signature === undefined ? {} : { "X-Trailbook-Signature": signature }),
    },
  });

describe("customer-side signatures", () => {
  it("a key with a public key stores only events whose request body it signed, and keeps the signature", async () => {
    const tenant = await createTenant();
    const pair = await keyPair();
    const other = await keyPair();
    const key = await signingKey(tenant, pair);
    // Exactly these bytes are signed: spacing and non-ASCII text included.
    const body = '{ "id": "signed_1", "type": "payout.created",  "summary": "Zoë paid ✓" }';

    const refusals: [string, string | undefined][] = [
      ["no header", undefined],
      ["another key's signature", `ed25519=${await other.sign(body)}`],
      ["a signature of other bytes", `ed25519=${await pair.sign(body.replace("  ", " "))}`],
      ["no algorithm", await pair.sign(body)],
      ["not base64", "ed25519=%%%"],
      ["too short", `ed25519=${btoa("short")}`],
    ];
    for (const [what, header] of refusals) {
      const problem = await expectProblem(await post(key, "/v1/events", body, header), 422);
      expect(problem.type, what).toBe("/problems/signature");
      expect(problem.detail, what).toContain("Nothing was stored");
    }
    expect(await storedEvents(tenant.project.id)).toEqual([]);

    const signature = await pair.sign(body);
    const stored = await expectJson<{ id: string }>(await post(key, "/v1/events", body, `ed25519=${signature}`), 201);
    expect(stored.id).toBe("signed_1");
    const event = await expectJson<{ client_signature: { key_id: string; public_key: string; signature: string } }>(
      await api("GET", "/v1/events/signed_1", { key: tenant.keys.read }),
      200,
    );
    expect(event.client_signature).toMatchObject({ algorithm: "Ed25519", public_key: pair.publicKey });
    expect(event.client_signature.key_id).toMatch(/^key_/);
    // What a customer checks: the kept signature is theirs, over the body they sent.
    const verifier = await crypto.subtle.importKey("raw", fromBase64url(pair.publicKey), { name: "Ed25519" }, false, [
      "verify",
    ]);
    expect(
      await crypto.subtle.verify(
        { name: "Ed25519" },
        verifier,
        fromBase64url(event.client_signature.signature),
        new TextEncoder().encode(body),
      ),
    ).toBe(true);
  });

  it("signs a whole batch with one signature, kept with each event it stored", async () => {
    const tenant = await createTenant();
    const pair = await keyPair();
    const key = await signingKey(tenant, pair);
    const body = JSON.stringify({ events: ["b1", "b2", "b3"].map((id) => ({ id, type: "x.y" })) });
    const wrong = await expectProblem(
      await post(key, "/v1/events/batch", body, `ed25519=${await (await keyPair()).sign(body)}`),
      422,
    );
    expect(wrong.type).toBe("/problems/signature");
    expect(await storedEvents(tenant.project.id)).toEqual([]);
    await expectJson(await post(key, "/v1/events/batch", body, `ed25519=${await pair.sign(body)}`), 201);
    const signatures = new Set<string>();
    for (const id of ["b1", "b2", "b3"]) {
      const event = await expectJson<{ client_signature?: { signature: string } }>(
        await api("GET", `/v1/events/${id}`, { key: tenant.keys.read }),
        200,
      );
      signatures.add(event.client_signature?.signature ?? "none");
    }
    expect([...signatures]).toHaveLength(1);
    expect([...signatures][0]).not.toBe("none");
  });

  it("keys without a public key need no signature and keep none; uploads and compatible APIs follow the key", async () => {
    const tenant = await createTenant();
    const body = '{"id": "plain_1", "type": "x.y"}';
    await expectJson(await post(tenant.keys.ingest, "/v1/events", body, "ed25519=AAAA"), 201);
    const plain = await expectJson<Record<string, unknown>>(
      await api("GET", "/v1/events/plain_1", { key: tenant.keys.read }),
      200,
    );
    expect(plain).not.toHaveProperty("client_signature");

    const pair = await keyPair();
    const key = await signingKey(tenant, pair, "admin");
    // A file cannot be checked against a signature: refused before anything is uploaded.
    const upload = await api("POST", "/v1/imports", {
      key,
      rawBody: '{"id": "imp_1", "type": "x.y"}\n',
      headers: { "Content-Type": "application/x-ndjson" },
    });
    expect((await expectProblem(upload, 422)).type).toBe("/problems/signature");
    expect((await env.FILES.list({ prefix: `imports/${tenant.project.id}/` })).objects).toEqual([]);

    const workos = JSON.stringify({
      organization_id: "org_1",
      event: {
        action: "user.signed_in",
        occurred_at: new Date(Date.now() - 60_000).toISOString(),
        actor: { id: "u_1", type: "user" },
        targets: [{ id: "t_1", type: "team" }],
        context: { location: "203.0.113.7" },
      },
    });
    const unsigned = await post(key, "/audit_logs/events", workos);
    expect(unsigned.status).toBe(422);
    expect(await unsigned.json()).toMatchObject({ code: "signature" });
    await expectJson(await post(key, "/audit_logs/events", workos, `ed25519=${await pair.sign(workos)}`), 201);
    const ids = (await storedEvents(tenant.project.id)).map((e) => e.id);
    expect(ids).toHaveLength(2);
    const { d1, pn } = shardOf(tenant.project);
    const kept = await d1
      .prepare("SELECT count(*) AS n FROM event_signatures WHERE pn = ?")
      .bind(pn)
      .first<number>("n");
    expect(kept).toBe(1);
  });

  it("a signature is append-only, goes with its event by retention and travels with it in a move", {
    timeout: MOVE_TEST_MS,
  }, async () => {
    const tenant = await createTenant();
    const pair = await keyPair();
    const key = await signingKey(tenant, pair);
    const old = new Date(Date.now() - 500 * 24 * 3600_000).toISOString();
    const body = JSON.stringify({
      events: [
        { id: "keep_1", type: "x.y" },
        { id: "old_1", type: "x.y", occurred_at: old },
      ],
    });
    await expectJson(await post(key, "/v1/events/batch", body, `ed25519=${await pair.sign(body)}`), 201);
    const { d1, pn } = shardOf(tenant.project);
    await expect(d1.prepare("UPDATE event_signatures SET signature = 'x' WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(d1.prepare("DELETE FROM event_signatures WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /only with their event/,
    );

    await startRetention(systemContext(), Date.now());
    const task = await env.DB.prepare("SELECT id FROM tasks WHERE project_id = ? AND type = 'retention'")
      .bind(tenant.project.id)
      .first<{ id: string }>();
    while ((await runTaskStep(systemContext(), task?.id ?? "", TASK_KINDS, { enqueueNext: false })) === "continued");
    const left = await d1
      .prepare("SELECT count(*) AS n FROM event_signatures WHERE pn = ?")
      .bind(pn)
      .first<number>("n");
    expect(left).toBe(1);

    const before = await expectJson<{ client_signature: unknown }>(
      await api("GET", "/v1/events/keep_1", { key: tenant.keys.read }),
      200,
    );
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== shardOf(tenant.project).binding) as string;
    const move = await startMove(systemContext(), tenant.project.id, target);
    for (let i = 0; i < 20; i++)
      if ((await runTaskStep(systemContext(), move.id, TASK_KINDS, { enqueueNext: false })) === "done") break;
    const after = await expectJson<{ client_signature: unknown }>(
      await api("GET", "/v1/events/keep_1", { key: tenant.keys.read }),
      200,
    );
    expect(after.client_signature).toEqual(before.client_signature);
    // The old shard's copy went, with its signature row (the delete trigger).
    const orphans = await d1
      .prepare("SELECT count(*) AS n FROM event_signatures WHERE pn = ?")
      .bind(pn)
      .first<number>("n");
    expect(orphans).toBe(0);
  });

  it("the API keys page takes an optional public key, in PEM or base64, and refuses anything else", async () => {
    const tenant = await createTenant();
    const cookie = await signIn(await createMember(tenant, "admin"));
    const base = `/p/${tenant.project.id}/settings/api-keys`;
    const pair = await keyPair();
    const der = new Uint8Array([
      ...[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00],
      ...fromBase64url(pair.publicKey),
    ]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...der))}\n-----END PUBLIC KEY-----\n`;
    const created = await followRedirect(
      await dash("POST", base, {
        cookie,
        form: { name: "Signed backend", scope: "ingest", public_key: pem },
      }),
      cookie,
    );
    const page = await created.text();
    expect(created.status, page).toBe(200);
    expect(page).toContain("ingest · signed");
    const stored = await env.DB.prepare(
      "SELECT public_key FROM api_keys WHERE project_id = ? AND name = 'Signed backend'",
    )
      .bind(tenant.project.id)
      .first<string>("public_key");
    expect(stored).toBe(pair.publicKey);
    // The secret shown once works, and must sign.
    const secret = /(tb_[A-Za-z0-9_-]{20,})/.exec(page)?.[1] ?? "";
    const body = '{"id": "dash_1", "type": "x.y"}';
    expect((await expectProblem(await post(secret, "/v1/events", body), 422)).type).toBe("/problems/signature");
    await expectJson(await post(secret, "/v1/events", body, `ed25519=${await pair.sign(body)}`), 201);

    const bad = await dash("POST", base, {
      cookie,
      form: { name: "Broken", scope: "ingest", public_key: "not a key" },
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("not an Ed25519 public key");
    const plain = await dash("POST", base, { cookie, form: { name: "Plain", scope: "read", public_key: "" } });
    expect(plain.status).toBe(303);
    const none = await env.DB.prepare("SELECT public_key FROM api_keys WHERE project_id = ? AND name = 'Plain'")
      .bind(tenant.project.id)
      .first<string | null>("public_key");
    expect(none).toBeNull();
  });
});
