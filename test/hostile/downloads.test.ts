import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../src/queues/tasks";
import { signedExportUrl } from "../../src/services/exports/signed-link";
import { runTaskStep } from "../../src/services/tasks/engine";
import { createMember, createTenant, dash, expectJson, signIn, systemContext, type Tenant } from "../fixtures";
import { call, refused } from "./helpers";

// Downloads of export files (API, signed link, dashboard) follow RFC 9110's conditional and range rules.

let tenant: Tenant;
let cookie: string;
let exportId: string;
let file: string;
let etag: string;
let lastModified: string;

beforeAll(async () => {
  tenant = await createTenant();
  cookie = await signIn(await createMember(tenant, "owner"));
  const events = Array.from({ length: 20 }, (_, i) => ({ type: "commission.updated", summary: `Commission ${i}` }));
  await expectJson(await call(tenant, "ingest", "POST", "/v1/events/batch", { body: { events } }), 201);
  const created = await expectJson<{ id: string; task_id: string }>(
    await call(tenant, "read", "POST", "/v1/exports", { body: { format: "jsonl" } }),
    202,
  );
  exportId = created.id;
  while ((await runTaskStep(systemContext(), created.task_id, TASK_KINDS, { enqueueNext: false })) === "continued");
  const whole = await download();
  expect(whole.status).toBe(200);
  etag = whole.headers.get("ETag") ?? "";
  lastModified = whole.headers.get("Last-Modified") ?? "";
  file = await whole.text();
  expect(file.length).toBeGreaterThan(100);
  expect(etag).toMatch(/^"[^"]+"$/);
});

function download(headers: Record<string, string> = {}): Promise<Response> {
  return call(tenant, "read", "GET", `/v1/exports/${exportId}/download`, { headers });
}

/** The three ways to download the same file. */
async function everyRoute(headers: Record<string, string>): Promise<Response[]> {
  const signed = new URL(
    await signedExportUrl("http://trailbook.test", (env as unknown as { SECRETS_KEY: string }).SECRETS_KEY, exportId),
  );
  return [
    await download(headers),
    await dash("GET", `${signed.pathname}${signed.search}`, { headers }),
    await dash("GET", `/p/${tenant.project.id}/exports/${exportId}/download`, { cookie, headers }),
  ];
}

describe("ranges", () => {
  it("serves one byte range as a 206 with its Content-Range", async () => {
    const response = await download({ Range: "bytes=0-8" });
    expect(response.status).toBe(206);
    expect(response.headers.get("Content-Range")).toBe(`bytes 0-8/${file.length}`);
    expect(await response.text()).toBe(file.slice(0, 9));
    const suffix = await download({ Range: "bytes=-5" });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get("Content-Range")).toBe(`bytes ${file.length - 5}-${file.length - 1}/${file.length}`);
    expect(await suffix.text()).toBe(file.slice(-5));
    const open = await download({ Range: `bytes=${file.length - 3}-99999999999` });
    expect(open.status).toBe(206);
    expect(await open.text()).toBe(file.slice(-3));
  });

  it.each([
    ["the first byte after the end", (size: number) => `bytes=${size}-`],
    ["a range after the end", (size: number) => `bytes=${size}-${size + 10}`],
    ["an offset beyond any file", () => "bytes=99999999999999999999-"],
    ["an empty suffix", () => "bytes=-0"],
  ])("answers %s with a 416 and Content-Range: bytes */size, on every route", async (_label, range) => {
    for (const response of await everyRoute({ Range: range(file.length) })) {
      const text = await response.text();
      expect(response.status, text.slice(0, 300)).toBe(416);
      expect(response.headers.get("Content-Range")).toBe(`bytes */${file.length}`);
    }
  });

  it.each(["bytes=5-2", "bytes=0-1,4-5", "items=0-5", "bytes=abc", "bytes=-", "bytes=--1", "bytes 0-5"])(
    "ignores a Range it cannot use (%s) and sends the whole file",
    async (range) => {
      for (const response of await everyRoute({ Range: range })) {
        expect(response.status).toBe(200);
        expect(await response.text()).toBe(file);
      }
    },
  );

  it("honours If-Range only while the file still matches it", async () => {
    const stale = await download({ Range: "bytes=0-3", "If-Range": '"another-version"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(file);
    const weak = await download({ Range: "bytes=0-3", "If-Range": `W/${etag}` });
    expect(weak.status).toBe(200);
    const current = await download({ Range: "bytes=0-3", "If-Range": etag });
    expect(current.status).toBe(206);
    expect(await current.text()).toBe(file.slice(0, 4));
    const byDate = await download({ Range: "bytes=0-3", "If-Range": lastModified });
    expect(byDate.status).toBe(206);
  });
});

describe("conditional requests", () => {
  it("answers a failed If-Match with a 412 on every route", async () => {
    for (const ifMatch of ['"not-the-etag"', `W/${etag}`, "garbage", '"a", "b"']) {
      for (const response of await everyRoute({ "If-Match": ifMatch })) {
        const text = await response.text();
        expect(response.status, `${ifMatch}: ${text.slice(0, 200)}`).toBe(412);
      }
    }
    await refused(tenant, () => download({ "If-Match": '"nope"', Range: "bytes=0-1" }), 412);
  });

  it("serves the file when If-Match holds", async () => {
    for (const ifMatch of [etag, "*", `"other", ${etag}`]) {
      const response = await download({ "If-Match": ifMatch });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(file);
    }
  });

  it("answers a failed If-Unmodified-Since with a 412", async () => {
    const response = await download({ "If-Unmodified-Since": "Thu, 01 Jan 2015 00:00:00 GMT" });
    expect(response.status).toBe(412);
    expect((await download({ "If-Unmodified-Since": lastModified })).status).toBe(200);
  });

  it("answers a matching If-None-Match or a fresh If-Modified-Since with a 304", async () => {
    for (const headers of <Record<string, string>[]>[
      { "If-None-Match": etag },
      { "If-None-Match": `W/${etag}` },
      { "If-None-Match": "*" },
      { "If-None-Match": `"x", ${etag}` },
      { "If-Modified-Since": lastModified },
    ]) {
      const response = await download(headers);
      expect(response.status, JSON.stringify(headers)).toBe(304);
      expect(response.headers.get("ETag")).toBe(etag);
    }
  });

  it.each(["garbage", '"unterminated', "W/", ",,,", 'W/"a" junk "b', '*, "a"', ""])(
    "ignores a malformed If-None-Match (%j) and serves the file on every route",
    async (value) => {
      for (const response of await everyRoute({ "If-None-Match": value })) {
        const text = await response.text();
        expect(response.status, text.slice(0, 200)).toBe(200);
        expect(text).toBe(file);
      }
    },
  );

  it("ignores an If-Modified-Since that is not a date", async () => {
    const response = await download({ "If-Modified-Since": "yesterday-ish" });
    expect(response.status).toBe(200);
  });
});
