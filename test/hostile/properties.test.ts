import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { FILTER_KEYS } from "../../src/routes/dashboard/explorer-state";
import { createMember, createTenant, dash, expectJson, signIn, type Tenant } from "../fixtures";
import { call, footprint, rawJson, retracedPath } from "./helpers";

// Generated hostile input: every string and number field of an event, as
// /v1/events, the batch and both compatible APIs receive it, and every query parameter of the
// lists, counts, exports and explorer pages. Whatever is sent, the answer is a 2xx or a 4xx, never
// a 5xx, and a 4xx stores nothing. Runs are bounded so the suite stays quick; a failure prints the
// seed and the shrunk input to replay it.

const RUNS = { body: 250, batch: 80, compat: 200, query: 200, exports: 100, explorer: 180 };

let tenant: Tenant;
let cookie: string;

beforeAll(async () => {
  tenant = await createTenant({ timezone: "Europe/Berlin" });
  cookie = await signIn(await createMember(tenant, "owner"));
  const events = [
    { id: "seed_1", type: "commission.updated", summary: "Approved payout", actor: { id: "u_1" } },
    { id: "seed_2", type: "user.login", category: "auth", status: "failure", changes: { status: ["a", "b"] } },
  ];
  await expectJson(await call(tenant, "ingest", "POST", "/v1/events/batch", { body: { events } }), 201);
});

// ---- Arbitraries -------------------------------------------------------------------------------

/** Characters that have broken parsers, SQL, FTS5, JSON and HTML somewhere. */
const NASTY = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\ud83d\ude00",
  "\u202e",
  "\ufeff",
  "\uffff",
  "\u0085",
  '"',
  "'",
  "\\",
  "*",
  ":",
  "-",
  " ",
  "\t",
  "\n",
  "%",
  ",",
  ".",
  "/",
  "<",
  ">",
  "&",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  "^",
  "a",
  "Z",
  "0",
  "9",
  "_",
  "é",
  " NEAR ",
  " OR ",
  " NOT ",
  "type:",
  "after:",
  "actor:",
  "-source:",
  "*,",
];

const SPECIAL_STRINGS = [
  "",
  " ",
  "x".repeat(1001),
  "y".repeat(4001),
  "2026-02-30T00:00:00Z",
  "2026-01-01T24:00:00+00:00",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999999999-23:59",
  "1970-01-01T00:00:00+00:00",
  "2026-13-01",
  "-1",
  "1e309",
  "NaN",
  "__proto__",
  "constructor",
  "toString",
  '{"a":'.repeat(100),
  "[".repeat(5000),
  "a,".repeat(300),
  "t.*,".repeat(80),
  "actor:a,b ".repeat(30),
  "Bearer tb_x",
  "<script>alert(1)</script>",
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
];

/** Plain words around one nasty character, so the rest of the text passes the checks before it. */
const plain = fc.string({ unit: fc.constantFrom("a", "b", "x", "1", " ", "é"), maxLength: 8 });
const oneNasty = fc.tuple(plain, fc.constantFrom(...NASTY), plain).map(([a, nasty, b]) => `${a}${nasty}${b}`);

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: oneNasty, weight: 3 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 24 }), weight: 3 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 1 },
  { arbitrary: fc.constantFrom(...SPECIAL_STRINGS), weight: 2 },
);

/** A JSON value as text: strings (lone surrogates survive as \u escapes), numbers JSON.parse cannot keep, deep nesting. */
const rawJsonValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString.map((s) => JSON.stringify(s)), weight: 5 },
  fc.constantFrom("1e309", "-1e309", "1e-400", "-0", "9007199254740993", "0.1", "-1", "86400001", "599", "99"),
  fc.double().map((n) => (Number.isFinite(n) ? String(n) : "1e999")),
  fc.integer({ min: -1, max: 8_640_000_000_000_001 }).map(String),
  fc.integer({ min: 1, max: 3000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  fc.integer({ min: 1, max: 300 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
  fc.constantFrom("null", "true", "false", "[]", "{}", '["a", "b"]', '{"password": "x"}'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

const SLOT = "__hostile_slot__";
const KEY = "__hostile_key__";

type Path = readonly (string | number)[];

/** `base` as JSON text with `raw` at `path` (or, with `asKey`, `raw` as a key of the object there). */
function bodyWith(base: unknown, path: Path, raw: string, asKey = false): string {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  const target = asKey ? path : path.slice(0, -1);
  for (const step of target) {
    if (typeof at[step] !== "object" || at[step] === null) at[step] = typeof step === "number" ? [] : {};
    at = at[step] as Record<string | number, unknown>;
  }
  if (asKey) at[KEY] = [1, 2];
  else at[path[path.length - 1] as string | number] = SLOT;
  const text = JSON.stringify(copy);
  return asKey ? text.replace(`"${KEY}"`, raw) : text.replace(`"${SLOT}"`, raw);
}

/** A value or key slot in a body, with the raw JSON put there. */
function slotted(base: unknown, values: Path[], keys: Path[]): fc.Arbitrary<{ where: string; body: string }> {
  const value = fc.tuple(fc.constantFrom(...values), rawJsonValue).map(([path, raw]) => ({
    where: `${path.join(".")} = ${raw.slice(0, 80)}`,
    body: bodyWith(base, path, raw),
  }));
  const key = fc.tuple(fc.constantFrom(...keys), hostileString).map(([path, name]) => ({
    where: `key ${JSON.stringify(name).slice(0, 80)} in ${path.join(".") || "(root)"}`,
    body: bodyWith(base, path, JSON.stringify(name), true),
  }));
  return fc.oneof({ arbitrary: value, weight: 4 }, { arbitrary: key, weight: 1 });
}

const EVENT = {
  type: "prop.test",
  summary: "generated",
  actor: { id: "u_1", type: "user" },
  entity: { type: "thing", id: "t_1" },
  targets: [{ id: "t_1", type: "thing" }],
  changes: { status: ["a", "b"] },
  request: { method: "GET", headers: { accept: "*/*" } },
  metadata: { k: "v" },
};
const EVENT_VALUES: Path[] = [
  ["id"],
  ["occurred_at"],
  ["category"],
  ["type"],
  ["status"],
  ["summary"],
  ["message"],
  ["lifecycle_action"],
  ["actor", "type"],
  ["actor", "id"],
  ["actor", "name"],
  ["actor", "email"],
  ["source"],
  ["entity", "type"],
  ["entity", "id"],
  ["entity", "name"],
  ["targets", 0, "id"],
  ["targets", 0, "type"],
  ["targets", 0, "name"],
  ["organization_id"],
  ["changes", "status"],
  ["changes", "status", 0],
  ["changes", "status", 1],
  ["request", "id"],
  ["request", "method"],
  ["request", "path"],
  ["request", "status_code"],
  ["request", "duration_ms"],
  ["request", "ip"],
  ["request", "user_agent"],
  ["request", "origin"],
  ["request", "controller"],
  ["request", "action"],
  ["request", "headers", "accept"],
  ["request", "query"],
  ["request", "body"],
  ["request", "response_body"],
  ["job_id"],
  ["metadata", "k"],
  ["metadata"],
  ["targets"],
];
const EVENT_KEYS: Path[] = [[], ["metadata"], ["changes"], ["request", "headers"], ["actor"], ["request", "body"]];

const WORKOS = {
  organization_id: "org_1",
  event: {
    action: "user.signed_in",
    occurred_at: "2026-01-01T00:00:00Z",
    version: 1,
    actor: { id: "u_1", type: "user", name: "Jane", metadata: { role: "admin" } },
    targets: [{ id: "t_1", type: "team", name: "Team", metadata: { size: 3 } }],
    context: { location: "203.0.113.7", user_agent: "agent" },
    metadata: { k: "v" },
  },
};
const WORKOS_VALUES: Path[] = [
  ["organization_id"],
  ["event", "action"],
  ["event", "occurred_at"],
  ["event", "version"],
  ["event", "actor", "id"],
  ["event", "actor", "type"],
  ["event", "actor", "name"],
  ["event", "actor", "metadata", "role"],
  ["event", "targets", 0, "id"],
  ["event", "targets", 0, "type"],
  ["event", "targets", 0, "name"],
  ["event", "targets", 0, "metadata", "size"],
  ["event", "context", "location"],
  ["event", "context", "user_agent"],
  ["event", "metadata", "k"],
];
const WORKOS_KEYS: Path[] = [["event", "metadata"], ["event", "actor", "metadata"], ["event"]];

const WORKOS_EXPORT = {
  organization_id: "org_1",
  range_start: "2026-01-01T00:00:00Z",
  range_end: "2026-02-01T00:00:00Z",
  actions: ["user.signed_in"],
  actor_names: ["Jane"],
  actor_ids: ["u_1"],
  targets: ["team"],
};
const WORKOS_EXPORT_VALUES: Path[] = [
  ["organization_id"],
  ["range_start"],
  ["range_end"],
  ["actions", 0],
  ["actor_names", 0],
  ["actor_ids", 0],
  ["targets", 0],
  ["actions"],
];

const RETRACED = {
  action: "document.viewed",
  crud: "r",
  created: "2026-01-01T00:00:00Z",
  actor: { id: "u_1", name: "Jane", href: "https://example.com/u/1", fields: { dept: "x" } },
  target: { id: "d_1", name: "Doc", type: "document", href: "https://example.com/d/1", fields: { size: "1" } },
  group: { id: "g_1", name: "Group" },
  source_ip: "203.0.113.7",
  description: "Viewed",
  is_failure: false,
  is_anonymous: false,
  fields: { k: "v" },
  component: "web",
  version: "1",
  external_id: "ext_1",
  metadata: { m: "n" },
};
const RETRACED_VALUES: Path[] = [
  ["action"],
  ["crud"],
  ["created"],
  ["actor", "id"],
  ["actor", "name"],
  ["actor", "href"],
  ["actor", "fields", "dept"],
  ["target", "id"],
  ["target", "name"],
  ["target", "type"],
  ["target", "href"],
  ["target", "fields", "size"],
  ["group", "id"],
  ["group", "name"],
  ["source_ip"],
  ["description"],
  ["is_failure"],
  ["is_anonymous"],
  ["fields", "k"],
  ["component"],
  ["version"],
  ["external_id"],
  ["metadata", "m"],
];
const RETRACED_KEYS: Path[] = [["fields"], ["metadata"], ["actor", "fields"]];

/** Percent-encodes UTF-8 bytes (a lone surrogate becomes U+FFFD, as any client would send it). */
function encode(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`,
    )
    .join("");
}

/** A query-string component: hostile text encoded, or raw percent-escapes that do not decode. */
const queryText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString.map(encode), weight: 6 },
  fc.constantFrom("%", "%zz", "%ED%A0%80", "%C0%80", "%00", "%FF%FE", "+", "%2B", "a%00", "1e309", "-1", "0", "201"),
);

/**
 * One to three parameters, named from `names` (the text-search ones, which reach SQLite and FTS5
 * with the least checking, more often) or anything at all.
 */
const params = (names: readonly string[], search: readonly string[]) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          { arbitrary: fc.constantFrom(...search), weight: 3 },
          { arbitrary: fc.constantFrom(...names), weight: 5 },
          { arbitrary: queryText, weight: 1 },
        ),
        queryText,
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join("&"));

const FILTERS = [
  "from",
  "to",
  "category",
  "type",
  "status",
  "source",
  "actor_id",
  "actor_type",
  "entity_type",
  "entity_id",
  "organization_id",
  "request_id",
  "job_id",
  "ip",
  "changed",
  "q",
  "query",
];

// ---- Properties --------------------------------------------------------------------------------

/** Sends, then asserts never a 5xx and, on a 4xx, an unchanged project; returns the status. */
async function neverFails(send: () => Promise<Response>, what: string): Promise<number> {
  const before = await footprint(tenant.project.id);
  const response = await send();
  const text = await response.text();
  expect(response.status, `${what}\n→ ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status >= 400)
    expect(await footprint(tenant.project.id), `${what}\n→ ${response.status} stored something`).toEqual(before);
  return response.status;
}

describe("generated hostile input", () => {
  it("POST /v1/events: any value or key in any field", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(slotted(EVENT, EVENT_VALUES, EVENT_KEYS), async ({ where, body }) => {
        const status = await neverFails(() => rawJson(tenant, "/v1/events", body), `POST /v1/events ${where}`);
        if (status === 201) {
          // What was stored can be read back, listed and searched.
          const list = await call(tenant, "read", "GET", "/v1/events?limit=1&q=generated");
          expect(list.status).toBe(200);
        }
      }),
      { numRuns: RUNS.body },
    );
  });

  it("POST /v1/events/batch: one hostile event among valid ones stores all or nothing", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(slotted(EVENT, EVENT_VALUES, EVENT_KEYS), async ({ where, body }) => {
        const batch = `{"events": [{"type": "prop.before"}, ${body}, {"type": "prop.after"}]}`;
        const before = (await footprint(tenant.project.id)).events;
        const status = await neverFails(() => rawJson(tenant, "/v1/events/batch", batch), `batch ${where}`);
        if (status === 201) expect((await footprint(tenant.project.id)).events - before).toBeLessThanOrEqual(3);
      }),
      { numRuns: RUNS.batch },
    );
  });

  it("WorkOS and Retraced: any value or key in any field", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          slotted(WORKOS, WORKOS_VALUES, WORKOS_KEYS).map((s) => ({ ...s, path: "/audit_logs/events" })),
          slotted(WORKOS_EXPORT, WORKOS_EXPORT_VALUES, [[]]).map((s) => ({ ...s, path: "/audit_logs/exports" })),
          slotted(RETRACED, RETRACED_VALUES, RETRACED_KEYS).map((s) => ({ ...s, path: retracedPath(tenant) })),
          slotted(
            { events: [RETRACED, RETRACED] },
            [...RETRACED_VALUES.map((p) => ["events", 1, ...p])],
            [["events", 0, "fields"]],
          ).map((s) => ({ ...s, path: retracedPath(tenant, true) })),
        ),
        async ({ where, body, path }) => {
          const scope = path.endsWith("/exports") ? "read" : "ingest";
          await neverFails(() => rawJson(tenant, path, body, {}, scope), `POST ${path} ${where}`);
        },
      ),
      { numRuns: RUNS.compat },
    );
  });

  it("GET /v1/events, /v1/events/count and /v1/events/feed: any query parameters", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/events", "/v1/events/count", "/v1/events/feed"),
        params([...FILTERS, "limit", "cursor"], ["q", "query"]),
        async (path, query) => {
          await neverFails(() => call(tenant, "read", "GET", `${path}?${query}`), `GET ${path}?${query}`);
        },
      ),
      { numRuns: RUNS.query },
    );
  });

  it("metadata and ip clauses: any key and value, in the API and the explorer", { timeout: 60_000 }, async () => {
    const clause = fc
      .tuple(
        fc.boolean(),
        fc.oneof(fc.constantFrom("program", "__proto__", "constructor", ""), hostileString),
        hostileString,
      )
      .map(([negated, key, value]) => `${negated ? "-" : ""}metadata.${key}:${JSON.stringify(value)}`);
    const ip = hostileString.map((v) => `ip:${JSON.stringify(v)}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(clause, ip), fc.boolean(), async (query, explorer) => {
        const path = explorer
          ? `/p/${tenant.project.id}/events?view=payments&search=${encode(query)}`
          : `/v1/events?query=${encode(query)}`;
        await neverFails(() => (explorer ? dash("GET", path, { cookie }) : call(tenant, "read", "GET", path)), path);
      }),
      { numRuns: RUNS.query },
    );
  });

  it("POST /v1/exports: any format, gzip and filters", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: fc.constantFrom("q", "query"), weight: 1 }, fc.constantFrom(...FILTERS)),
        fc.oneof({ arbitrary: hostileString.map((v) => JSON.stringify(v)), weight: 4 }, rawJsonValue),
        fc.oneof(
          { arbitrary: fc.constantFrom('"csv"', '"jsonl"'), weight: 6 },
          fc.constantFrom('"xml"', "1", "null", '"\\u0000"'),
        ),
        fc.oneof({ arbitrary: fc.constantFrom("true", "false"), weight: 6 }, fc.constantFrom('"yes"', "1e309")),
        async (name, value, format, gzip) => {
          const body = `{"format": ${format}, "gzip": ${gzip}, "filters": {"${name}": ${value}}}`;
          const before = await footprint(tenant.project.id);
          const status = await neverFails(
            async () => rawJson(tenant, "/v1/exports", body, {}, "read"),
            `POST /v1/exports ${body.slice(0, 200)}`,
          );
          if (status === 202) {
            // An accepted export is one export, one task and one export.created event.
            const after = await footprint(tenant.project.id);
            expect(after).toEqual({
              events: before.events + 1,
              exports: before.exports + 1,
              tasks: before.tasks + 1,
            });
          }
        },
      ),
      { numRuns: RUNS.exports },
    );
  });

  it("explorer pages, signed in: any query parameters", { timeout: 60_000 }, async () => {
    const names = [
      "view",
      "range",
      "from",
      "to",
      "search",
      "search_by",
      "time",
      "cols",
      "live",
      "cursor",
      "since",
      "count",
      "q",
      "metadata.program",
      "metadata.__proto__",
      "metadata.a%20b",
      ...FILTER_KEYS,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("events", "rows", "count", "email-stats", "exports/new", "suggest/actor_id", "events/seed_1"),
        params(names, ["search", "from", "to"]),
        fc.boolean(),
        async (page, query, htmx) => {
          const path = `/p/${tenant.project.id}/${page}?${query}`;
          await neverFails(
            () => dash("GET", path, { cookie, headers: htmx ? { "HX-Request": "true", "HX-Target": "counter" } : {} }),
            `GET ${path}${htmx ? " (htmx)" : ""}`,
          );
        },
      ),
      { numRuns: RUNS.explorer },
    );
  });
});
