// Run by npm test (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BURST_IP, demoEvents, mulberry32 } from "./demo-events.mjs";

const now = Date.parse("2026-11-20T12:00:00Z");
const events = demoEvents({ now });
const DAY = 24 * 60 * 60 * 1000;
const CATEGORIES = ["activity", "configuration", "auth", "api_request", "integration", "payment", "email", "fraud"];
const STATUSES = {
  activity: [undefined],
  configuration: [undefined],
  auth: ["success", "failure"],
  api_request: ["success", "failure"],
  integration: ["info", "success", "failure"],
  payment: ["failed", "processing", "transit", "complete", "rollback"],
  email: ["delivered", "bounced", "blocked", "pending"],
  fraud: ["allowed", "blocked"],
};
const FIELDS = [
  "id",
  "occurred_at",
  "category",
  "type",
  "status",
  "summary",
  "message",
  "lifecycle_action",
  "actor",
  "source",
  "entity",
  "targets",
  "organization_id",
  "changes",
  "request",
  "job_id",
  "metadata",
];
const REQUEST_FIELDS = [
  "id",
  "method",
  "path",
  "status_code",
  "duration_ms",
  "ip",
  "user_agent",
  "origin",
  "query",
  "body",
  "response_body",
  "controller",
  "action",
];
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const count = (list, key) => list.reduce((map, item) => map.set(key(item), (map.get(key(item)) ?? 0) + 1), new Map());

/** Every string anywhere in a value. */
function* strings(value) {
  if (typeof value === "string") yield value;
  else if (value && typeof value === "object") for (const v of Object.values(value)) yield* strings(v);
}

test("mulberry32 is a deterministic PRNG in [0, 1)", () => {
  const a = mulberry32(1);
  const b = mulberry32(1);
  const draws = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    draws,
    Array.from({ length: 1000 }, () => b()),
  );
  assert.ok(draws.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(draws.slice(0, 5), Array.from({ length: 5 }, mulberry32(2)));
});

test("is deterministic for (now, seed) and differs across seeds", () => {
  assert.deepEqual(demoEvents({ now }), events);
  assert.deepEqual(demoEvents({ now, seed: 42, count: 6000 }), events);
  assert.notDeepEqual(demoEvents({ now, seed: 7 }), events);
});

test("returns count events with unique, zero-padded ids", () => {
  assert.equal(events.length, 6000);
  assert.equal(new Set(events.map((e) => e.id)).size, 6000);
  assert.ok(events.every((e, i) => e.id === `evt_demo_${String(i + 1).padStart(5, "0")}`));
  for (const n of [0, 1, 5, 8, 9, 250]) {
    const few = demoEvents({ now, count: n });
    assert.equal(few.length, n);
    assert.equal(new Set(few.map((e) => e.id)).size, n);
  }
});

test("has every category of DESIGN §2 in realistic proportions, with its own status values", () => {
  const shares = count(events, (e) => e.category);
  assert.deepEqual([...shares.keys()].sort(), [...CATEGORIES].sort());
  for (const [category, n] of shares)
    assert.ok(n / events.length > 0.02 && n / events.length < 0.4, `${category}: ${n}`);
  for (const e of events) assert.ok(STATUSES[e.category].includes(e.status), `${e.id} ${e.category} ${e.status}`);
  for (const [category, statuses] of Object.entries(STATUSES)) {
    const seen = new Set(events.filter((e) => e.category === category).map((e) => e.status));
    for (const status of statuses) assert.ok(seen.has(status), `${category} never has status ${status}`);
  }
  const types = new Set(events.map((e) => e.type));
  for (const type of [
    "commission.updated",
    "commission.created",
    "commission.approved",
    "promoter.created",
    "referral.created",
    "reward.issued",
    "webhook.created",
    "api_key.revoked",
    "settings.updated",
    "user.invited",
    "user.login",
    "user.login_failed",
    "user.otp_requested",
    "user.otp_verified",
    "user.logout",
    "GET /v1/vouchers",
    "POST /v1/redemptions",
    "conversion",
    "one_click_access",
    "sales_entry",
    "payout.created",
    "email.sent",
    "referral.screened",
  ]) {
    assert.ok(types.has(type), type);
  }
});

test("spreads over 90 days, none in the future, a busy last day", () => {
  const times = events.map((e) => {
    assert.match(e.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return Date.parse(e.occurred_at);
  });
  assert.ok(times.every((t) => t <= now && t >= now - 90 * DAY));
  const lastDay = times.filter((t) => t > now - DAY).length;
  assert.ok(lastDay >= 250 && lastDay <= 400, `${lastDay} in the last 24 h`);
  assert.ok(times.some((t) => t < now - 80 * DAY));
  const other = demoEvents({ now: now + 12_345, seed: 99 }).map((e) => Date.parse(e.occurred_at));
  assert.ok(other.every((t) => t <= now + 12_345 && t >= now + 12_345 - 90 * DAY));
});

test("has a burst of at least 6 failed sign-ins from one address within ten minutes in the last 24 h", () => {
  const failed = events.filter(
    (e) => e.type === "user.login_failed" && e.status === "failure" && e.request?.ip === BURST_IP,
  );
  const times = failed.map((e) => Date.parse(e.occurred_at)).sort((a, b) => a - b);
  const windows = times.map((t) => times.filter((u) => u >= t && u - t <= 10 * 60 * 1000).length);
  assert.ok(Math.max(...windows) >= 6, `${Math.max(...windows)} failures in 10 minutes`);
  assert.ok(times[0] > now - DAY);
});

test("fits the event schema: allowed fields, patterns, sizes", () => {
  for (const e of events) {
    for (const key of Object.keys(e)) assert.ok(FIELDS.includes(key), `${e.id}: ${key}`);
    assert.match(e.type, /^[A-Za-z0-9_.:/ -]{1,128}$/);
    assert.match(e.category, /^[a-z][a-z0-9_]{0,63}$/);
    for (const v of [
      e.status,
      e.source,
      e.lifecycle_action,
      e.actor?.type,
      e.entity?.type,
      ...(e.targets ?? []).map((t) => t.type),
    ])
      if (v !== undefined) assert.match(v, NAME, e.id);
    if (e.actor)
      for (const key of Object.keys(e.actor))
        assert.ok(["type", "id", "name", "email"].includes(key), `${e.id}: actor.${key}`);
    for (const ref of [e.entity, ...(e.targets ?? [])].filter(Boolean))
      for (const key of Object.keys(ref)) assert.ok(["type", "id", "name"].includes(key), `${e.id}: ${key}`);
    if (e.request)
      for (const key of Object.keys(e.request)) assert.ok(REQUEST_FIELDS.includes(key), `${e.id}: request.${key}`);
    if (e.changes)
      for (const pair of Object.values(e.changes)) assert.ok(Array.isArray(pair) && pair.length === 2, e.id);
    if (e.metadata) assert.ok(isObject(e.metadata), e.id);
    for (const s of strings(e)) assert.ok(s.length <= 1000, e.id);
    assert.ok(new TextEncoder().encode(JSON.stringify(e)).length < 8 * 1024, e.id);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
  }
});

test("API requests carry a request with method, path, status code, bodies and ~15 % failures", () => {
  const api = events.filter((e) => e.category === "api_request");
  const codes = new Set();
  for (const e of api) {
    const r = e.request;
    assert.ok(r.method && r.path && Number.isInteger(r.status_code), e.id);
    assert.ok([200, 201, 204, 301, 400, 401, 404, 422, 429, 500].includes(r.status_code), `${e.id} ${r.status_code}`);
    assert.equal(e.status, r.status_code >= 400 ? "failure" : "success", e.id);
    assert.ok(isObject(r.query) && isObject(r.body) && isObject(r.response_body), e.id);
    assert.ok(typeof r.duration_ms === "number" && r.controller && r.action, e.id);
    assert.ok(e.type.startsWith(`${r.method} /v1/`), e.id);
    codes.add(r.status_code);
  }
  assert.equal(codes.size, 10);
  const failures = api.filter((e) => e.status === "failure").length / api.length;
  assert.ok(failures > 0.1 && failures < 0.2, `${failures}`);
});

test("failures explain themselves; activity shows changes and lifecycle actions", () => {
  for (const e of events.filter(
    (e) => ["integration", "api_request", "auth"].includes(e.category) && e.status === "failure",
  ))
    assert.ok(e.message, e.id);
  assert.ok(events.some((e) => e.category === "integration" && e.message === "Missing referral code"));
  const activity = events.filter((e) => e.category === "activity");
  const lifecycle = new Set(activity.map((e) => e.lifecycle_action));
  for (const action of ["approved", "denied", "created"]) assert.ok(lifecycle.has(action), action);
  assert.ok(activity.some((e) => e.changes?.status?.[0] === "pending" && e.changes.status[1] === "approved"));
  assert.ok(activity.some((e) => e.changes?.amount_cents));
  assert.ok(events.some((e) => e.category === "configuration" && e.changes && e.type === "user.invited"));
  // The fields the Payments and Emails views read (README "Payments and e-mails").
  for (const e of events.filter((e) => e.category === "payment")) {
    assert.ok(["paypal", "wise", "bank"].includes(e.metadata.payout_source), e.id);
    assert.ok(typeof e.metadata.amount === "number" && e.metadata.currency && e.metadata.program, e.id);
    assert.ok(e.metadata.member, e.id);
  }
  for (const e of events.filter((e) => e.category === "email")) {
    assert.ok(e.metadata.template && e.metadata.to, e.id);
    if (e.metadata.delivered_at) assert.ok(e.metadata.delivered_at > e.occurred_at && e.status === "delivered", e.id);
    if (e.metadata.opened_at) assert.ok(e.metadata.opened_at > e.metadata.delivered_at, e.id);
  }
  const emails = events.filter((e) => e.type === "email.sent" && e.status === "delivered");
  assert.ok(emails.some((e) => e.metadata.opened_at) && emails.some((e) => !e.metadata.opened_at));
  for (const e of events.filter((e) => e.category === "fraud"))
    assert.ok(e.metadata.reason && typeof e.metadata.score === "number", e.id);
  for (const e of events.filter((e) => e.category === "auth")) assert.ok(e.request?.ip && e.request.user_agent, e.id);
});

test("has a handful of actors, sources and organisations, shared request ids and job ids", () => {
  const actors = new Set(events.filter((e) => e.actor?.id).map((e) => e.actor.id));
  assert.ok(actors.size >= 8 && actors.size <= 12, `${actors.size} actors`);
  const actorTypes = new Set(events.map((e) => e.actor?.type));
  for (const type of ["team_member", "api_key", "system", "customer"]) assert.ok(actorTypes.has(type), type);
  assert.ok(events.filter((e) => e.actor?.type === "team_member").every((e) => e.actor.email));
  assert.deepEqual(
    new Set(events.map((e) => e.source)),
    new Set(["dashboard", "api", "integration", "system", "import"]),
  );
  const orgs = new Set(events.map((e) => e.organization_id).filter(Boolean));
  assert.ok(orgs.size >= 5 && orgs.size <= 8 && [...orgs].every((o) => /^org_[a-z]+$/.test(o)), [...orgs].join());
  assert.ok(orgs.has("org_acme") && orgs.has("org_globex"));
  const perRequest = count(
    events.filter((e) => e.request?.id),
    (e) => e.request.id,
  );
  assert.ok([...perRequest.keys()].every((id) => /^req_[a-z0-9_]+$/.test(id)));
  const shared = [...perRequest.values()].filter((n) => n >= 3).length;
  assert.ok(shared >= 50, `${shared} requests with 3 or more events`);
  const jobs = events.filter((e) => e.category === "integration" && e.job_id);
  assert.ok(jobs.length > 0 && jobs.every((e) => /^jid_/.test(e.job_id)));
});

test("carries sensitive values for the server to redact", () => {
  const has = (pick) =>
    events.some((e) => {
      try {
        return pick(e) !== undefined;
      } catch {
        return false;
      }
    });
  assert.ok(
    has((e) => e.metadata.password),
    "metadata.password",
  );
  assert.ok(
    has((e) => e.metadata.card_number),
    "metadata.card_number",
  );
  assert.ok(
    has((e) => e.request.body.token),
    "request.body.token",
  );
  assert.ok(
    has((e) => e.request.body.api_key),
    "request.body.api_key",
  );
  assert.ok(
    has((e) => e.request.body.password),
    "request.body.password",
  );
  assert.ok(
    has((e) => e.changes.secret),
    "changes.secret",
  );
});
