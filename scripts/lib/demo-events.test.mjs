// Run by npm test (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { demoEvents } from "./demo-events.mjs";

const now = Date.parse("2026-11-20T12:00:00Z");
const events = demoEvents({ now });
const DAY = 24 * 60 * 60 * 1000;

test("is deterministic for a seed and differs across seeds", () => {
  assert.deepEqual(demoEvents({ now }), events);
  assert.notDeepEqual(demoEvents({ now, seed: 7 }), events);
});

test("has unique ids and every category", () => {
  assert.equal(events.length, 6000);
  assert.equal(new Set(events.map((e) => e.id)).size, 6000);
  const categories = new Set(events.map((e) => e.category));
  for (const c of ["activity", "configuration", "auth", "api_request", "integration", "payment", "email", "fraud"]) assert.ok(categories.has(c), c);
});

test("spreads over 90 days, none in the future, a busy last day", () => {
  const times = events.map((e) => Date.parse(e.occurred_at));
  assert.ok(times.every((t) => t <= now && t >= now - 90 * DAY));
  assert.ok(times.filter((t) => t > now - DAY).length >= 250);
  assert.ok(times.some((t) => t < now - 60 * DAY));
});

test("has a burst of failed sign-ins from one address within ten minutes", () => {
  const failed = events.filter((e) => e.type === "user.login_failed" && e.request?.ip === "198.51.100.66");
  assert.ok(failed.length >= 6);
  const times = failed.map((e) => Date.parse(e.occurred_at)).sort((a, b) => a - b);
  assert.ok(times.at(-1) - times[0] <= 10 * 60 * 1000);
});

test("fits the event schema's limits", () => {
  for (const e of events) {
    assert.match(e.type, /^[A-Za-z0-9_.:/ -]{1,128}$/);
    assert.match(e.category, /^[a-z][a-z0-9_]{0,63}$/);
    for (const v of [e.status, e.source, e.lifecycle_action, e.actor?.type, e.entity?.type]) if (v !== undefined) assert.match(v, /^[A-Za-z0-9_.:-]{1,64}$/);
    assert.ok(JSON.stringify(e).length < 8 * 1024);
    if (e.category === "api_request") assert.ok(e.request.method && e.request.path && e.request.status_code, e.id);
  }
});

test("carries some sensitive values for the server to redact, and failures with messages", () => {
  const text = JSON.stringify(events);
  assert.ok(text.includes('"password"') && text.includes('"api_key"') && text.includes('"card_number"'));
  assert.ok(events.some((e) => e.category === "integration" && e.status === "failure" && e.message));
  assert.ok(events.some((e) => e.changes?.status));
});
