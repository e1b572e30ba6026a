import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toBase64url } from "../../src/lib/signing";
import { createDigests } from "../../src/services/integrity/digests";
import { createApiKey } from "../../src/services/keys/create";
import { api, createTenant, expectJson, projectContext, type Tenant } from "../fixtures";
import { call, footprint } from "./helpers";

// Generated hostile input for the evidence routes (README "Proofs, epochs and published roots"):
// proofs, chains, epochs, the public copies and the signature header. Whatever is sent, the answer
// is never a 5xx, and a refused event request stores nothing.

const RUNS = 60;
let tenant: Tenant;
let publicKey: string;

beforeAll(async () => {
  tenant = await createTenant({ timezone: "Europe/Berlin" });
  const events = [
    { id: "seed_1", type: "x.y" },
    { id: "seed:2", type: "x.y" },
  ];
  await expectJson(await call(tenant, "ingest", "POST", "/v1/events/batch", { body: { events } }), 201);
  await createDigests(projectContext(tenant.project), Date.now() + 3 * 3600_000);
  await env.DB.prepare("UPDATE projects SET publish_digests = 1 WHERE id = ?").bind(tenant.project.id).run();
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  publicKey = toBase64url(new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer));
});

const CHARS = [
  "a",
  "1",
  "0",
  "-",
  ":",
  ".",
  "/",
  "%",
  "\u0000",
  "\ud800",
  "😀",
  "é",
  " ",
  "+",
  "=",
  "T",
  "Z",
  "_",
  "?",
  "#",
];
const PIECES = [
  "",
  "2026-11-01",
  "2026-02-30",
  "2026-11-01T24:00",
  "1e309",
  "-1",
  "99999999999999999999",
  "prj_",
  "seed_1",
  "../",
  "epochs/",
  "0.json",
  "%2F",
  "%00",
];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 24 }),
  fc.constantFrom(...PIECES),
  fc
    .tuple(fc.constantFrom(...PIECES), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 6 }))
    .map(([a, b]) => a + b),
);

/** A lone surrogate cannot be percent-encoded: it goes as U+FFFD, as a browser would send it. */
const wellFormed = (value: string) =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

const segment = (value: string) => encodeURIComponent(wellFormed(value));

function query(params: [string, string][]): string {
  return new URLSearchParams(params.map(([k, v]) => [k, wellFormed(v)])).toString();
}

async function neverFails(response: Promise<Response>, what: string): Promise<number> {
  const r = await response;
  const body = await r.text();
  expect(r.status, `${what}\n→ ${r.status} ${body.slice(0, 300)}`).toBeLessThan(500);
  return r.status;
}

const params = (names: string[]) => fc.array(fc.tuple(fc.constantFrom(...names), text), { maxLength: 3 });

describe("generated hostile input: evidence routes", () => {
  it("GET /v1/events/{id}/proof, /v1/integrity/consistency and /v1/integrity/epochs/proof", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(text, params(["from", "to", "window", "x"]), async (id, ps) => {
        await neverFails(call(tenant, "read", "GET", `/v1/events/${segment(id)}/proof`), `proof ${JSON.stringify(id)}`);
        await neverFails(
          call(tenant, "read", "GET", `/v1/integrity/consistency?${query(ps)}`),
          `consistency ${query(ps)}`,
        );
        await neverFails(call(tenant, "read", "GET", `/v1/integrity/epochs/proof?${query(ps)}`), `epochs ${query(ps)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("GET /public/digests/…: any project, name and cursor, without a key", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(tenant.project.id), text),
        text,
        params(["cursor", "x"]),
        async (project, name, ps) => {
          const base = `/public/digests/${segment(project)}`;
          await neverFails(api("GET", `${base}/?${query(ps)}`), `${base}/?${query(ps)}`);
          await neverFails(api("GET", `${base}/${segment(name)}`), `${base}/${segment(name)}`);
          await neverFails(api("GET", `${base}/epochs/${segment(name)}`), `${base}/epochs/${segment(name)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("POST /v1/events with a signing key: any X-Trailbook-Signature is a 422 that stores nothing", {
    timeout: 60_000,
  }, async () => {
    let key = "";
    let uses = 25;
    const latin1 = fc.string({
      unit: fc.constantFrom("e", "d", "2", "5", "1", "9", "=", "+", "/", "_", "-", "A", "z", " ", "\t", ","),
      maxLength: 100,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          latin1,
          latin1.map((s) => `ed25519=${s}`),
        ),
        async (header) => {
          if (uses++ >= 25) {
            key = (await createApiKey(projectContext(tenant.project), { name: "signed", scope: "ingest", publicKey }))
              .secret;
            uses = 1;
          }
          const before = await footprint(tenant.project.id);
          const status = await neverFails(
            api("POST", "/v1/events", {
              key,
              rawBody: '{"type": "x.y"}',
              headers: { "Content-Type": "application/json", "X-Trailbook-Signature": header },
            }),
            `signature ${JSON.stringify(header)}`,
          );
          expect(status, JSON.stringify(header)).toBe(422);
          expect(await footprint(tenant.project.id)).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
