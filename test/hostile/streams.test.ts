import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, expectJson, type Tenant } from "../fixtures";
import { call, footprint, rawJson } from "./helpers";

// Generated hostile values in every field of a log stream (README "Log streams"): a 2xx or a 4xx,
// never a 5xx, and nothing stored (no stream, no configuration event) on a 4xx.

let tenant: Tenant;
let streamId = "";

beforeAll(async () => {
  tenant = await createTenant();
  const created = await expectJson<{ id: string }>(
    await call(tenant, "admin", "POST", "/v1/streams", {
      body: { name: "Base", destination: { type: "https", url: "https://siem.example/in" } },
    }),
    201,
  );
  streamId = created.id;
});

const streams = async () =>
  (await env.DB.prepare("SELECT count(*) AS n, group_concat(updated_at) AS t FROM log_streams WHERE project_id = ?")
    .bind(tenant.project.id)
    .first<{ n: number; t: string }>()) ?? { n: 0, t: "" };

const nasty = fc.constantFrom(
  "",
  " ",
  "\u0000",
  '"\\ud800"',
  "x".repeat(5000),
  "ftp://x",
  "https://127.0.0.1",
  "https://[::1]/",
  "javascript:alert(1)",
  "type:*",
  "colour:red",
  "actor:a,b ".repeat(40),
  "2026-02-30",
  "__proto__",
  "<script>",
  "f1.AAAA",
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}),
);

const BODY = {
  name: "S",
  filter: "",
  format: "trailbook",
  state: "active",
  destination: {
    type: "s3",
    endpoint: "https://s3.example",
    region: "auto",
    bucket: "logs",
    prefix: "",
    path_style: false,
    access_key_id: "A",
    secret_access_key: "s",
  },
};
const PATHS: string[][] = [
  ["name"],
  ["filter"],
  ["format"],
  ["state"],
  ["destination"],
  ["destination", "type"],
  ["destination", "endpoint"],
  ["destination", "region"],
  ["destination", "bucket"],
  ["destination", "prefix"],
  ["destination", "access_key_id"],
  ["destination", "path_style"],
  ["destination", "url"],
  ["destination", "site"],
  ["colour"],
];

function withValue(path: string[], v: unknown): Record<string, unknown> {
  const body = structuredClone(BODY) as Record<string, unknown>;
  let target = body;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1) ?? ""] = v;
  return body;
}

async function neverFails(send: () => Promise<Response>, what: string) {
  const before = [await footprint(tenant.project.id), await streams()];
  const response = await send();
  const text = await response.text();
  expect(response.status, `${what}\n→ ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status >= 400) expect([await footprint(tenant.project.id), await streams()], what).toEqual(before);
  return { status: response.status, text };
}

describe("log streams under hostile input", () => {
  it("POST and PATCH /v1/streams: any value in any field", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), value, fc.boolean(), async (path, v, patch) => {
        const body = JSON.stringify(withValue(path, v));
        const what = `${patch ? "PATCH" : "POST"} ${path.join(".")} = ${JSON.stringify(v)?.slice(0, 100)}`;
        if (!patch) {
          const { status, text } = await neverFails(() => rawJson(tenant, "/v1/streams", body, {}, "admin"), what);
          if (status === 201) {
            const id = (JSON.parse(text) as { id: string }).id;
            expect((await call(tenant, "admin", "DELETE", `/v1/streams/${id}`)).status).toBe(204);
          }
          return;
        }
        await neverFails(
          async () =>
            call(tenant, "admin", "PATCH", `/v1/streams/${streamId}`, {
              body: withValue(path, v),
            }),
          what,
        );
      }),
      { numRuns: 60 },
    );
  });

  it("GET /v1/events/feed and POST …/replay: any cursor", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nasty, fc.string({ unit: "binary", maxLength: 60 })), async (cursor) => {
        const feed = await call(tenant, "read", "GET", `/v1/events/feed?cursor=${encodeURIComponent(cursor)}`);
        expect(feed.status, await feed.text()).toBeLessThan(500);
        await neverFails(
          () => call(tenant, "admin", "POST", `/v1/streams/${streamId}/replay`, { body: { cursor } }),
          `replay ${JSON.stringify(cursor)}`,
        );
      }),
      { numRuns: 40 },
    );
  });
});
