// Run by npm test (node --test).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { test } from "node:test";
import { cronMatches, cronsOf, fireCrons } from "./local-cron.mjs";

const toml = readFileSync(path.resolve(import.meta.dirname, "../../wrangler.toml"), "utf8");

test("reads the crons of wrangler.toml", () => {
  assert.deepEqual(cronsOf(toml), ["17 3 * * *", "5 * * * *", "*/2 * * * *"]);
  assert.deepEqual(cronsOf("[triggers]\ncrons = []\n"), []);
  assert.deepEqual(cronsOf('name = "x"\n'), []);
});

test("matches each cron at its UTC minutes only", () => {
  const at = (iso) => new Date(iso);
  assert.ok(cronMatches("*/2 * * * *", at("2026-11-02T10:14:30Z")));
  assert.ok(!cronMatches("*/2 * * * *", at("2026-11-02T10:15:00Z")));
  assert.ok(cronMatches("5 * * * *", at("2026-11-02T23:05:59Z")));
  assert.ok(!cronMatches("5 * * * *", at("2026-11-02T23:06:00Z")));
  assert.ok(cronMatches("17 3 * * *", at("2026-11-02T03:17:00Z")));
  assert.ok(!cronMatches("17 3 * * *", at("2026-11-02T04:17:00Z")));
  assert.ok(cronMatches("0,30 * * * 1", at("2026-11-02T08:30:00Z"))); // a Monday
  assert.ok(!cronMatches("0,30 * * * 1", at("2026-11-03T08:30:00Z")));
  assert.ok(!cronMatches("* * *", at("2026-11-02T08:30:00Z")));
});

test("fires the crons at the server npm start runs, on its port", async () => {
  const hits = [];
  const server = createServer((request, response) => {
    hits.push(request.url);
    response.end("ok");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  const stop = fireCrons(`http://127.0.0.1:${port}`, ["* * * * *", "61 * * * *"], 20);
  try {
    for (let i = 0; i < 200 && hits.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    stop();
    await new Promise((resolve) => server.close(resolve));
  }
  assert.deepEqual(hits, ["/cdn-cgi/local/scheduled?cron=*%20*%20*%20*%20*"]);
});
