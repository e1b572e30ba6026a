import { beforeAll, describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { compileFilters, type EventFilters } from "../../../src/services/events/filters";
import { countEvents, listEvents } from "../../../src/services/events/query";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  api,
  createTenant,
  expectJson,
  expectProblem,
  projectContext,
  shardOf,
  systemContext,
  type Tenant,
} from "../../fixtures";

// README "Filters": `metadata.<key>:` and `ip:` find events by an index (event_metadata, and the
// request_ip index), for one project of a shard that holds others with the same values.

function eventsOf(prefix: string, program = "Summer referral") {
  return [
    {
      id: `${prefix}1`,
      type: "payout.created",
      category: "payment",
      status: "complete",
      metadata: { program, payout_source: "paypal", amount: 12.5, currency: "EUR", vip: true },
      request: { ip: "198.51.100.66" },
      occurred_at: "2026-11-01T10:00:00Z",
    },
    {
      id: `${prefix}2`,
      type: "payout.created",
      category: "payment",
      status: "failed",
      metadata: { program: "Winter", payout_source: "wise", amount: 40, ["__proto__"]: "proto", constructor: "ctor" },
      request: { ip: "198.51.100.67" },
      occurred_at: "2026-11-02T10:00:00Z",
    },
    {
      id: `${prefix}3`,
      type: "email.sent",
      category: "email",
      status: "delivered",
      metadata: {
        to: "ana@example.com",
        "a b": "spaced key",
        "a.b": "dotted key",
        nested: { program: "Summer referral" },
        long: "x".repeat(201),
        quote: `'; DROP TABLE events; --`,
        percent: "100%_off",
        empty: "",
        nothing: null,
      },
      occurred_at: "2026-11-03T10:00:00Z",
    },
    { id: `${prefix}4`, type: "user.login", category: "auth", occurred_at: "2026-11-04T10:00:00Z" },
  ];
}

let tenant: Tenant;
let neighbour: Tenant;

async function post(t: Tenant, events: Record<string, unknown>[]) {
  await expectJson(await api("POST", "/v1/events/batch", { key: t.keys.ingest, body: { events } }), 201);
}

/** The ids a filter finds (newest first), by each way a list is read, and the count agreeing. */
async function ids(filters: EventFilters): Promise<string[]> {
  const ctx = projectContext(tenant.project);
  const query = compileFilters(filters, "UTC");
  const found: string[][] = [];
  // The filter's own index, and a walk of a two-row window followed by the older rest.
  for (const window of [0, 2]) {
    const page = await listEvents(ctx, query, { limit: 50, window });
    found.push(page.data.map((e) => e.id));
  }
  expect(found[1]).toEqual(found[0]);
  expect(await countEvents(ctx, query)).toBe(found[0]?.length);
  return found[0] ?? [];
}

beforeAll(async () => {
  // Four projects over three default shards: two of them share one.
  const made = [await createTenant(), await createTenant(), await createTenant(), await createTenant()];
  const byShard = new Map<string, Tenant[]>();
  for (const t of made)
    byShard.set(shardOf(t.project).binding, [...(byShard.get(shardOf(t.project).binding) ?? []), t]);
  const pair = [...byShard.values()].find((list) => list.length >= 2);
  if (!pair?.[0] || !pair[1]) throw new Error("no two projects share a shard");
  [tenant, neighbour] = [pair[0], pair[1]];
  await post(tenant, eventsOf("a"));
  // The neighbour holds the same values, and one value (its program) the tenant never used.
  await post(neighbour, [...eventsOf("b"), ...eventsOf("c", "Only the neighbour")]);
});

describe("metadata filters", () => {
  it.each<[string, string[]]>([
    ['metadata.program:"Summer referral"', ["a1"]],
    ["metadata.program:Winter", ["a2"]],
    ['metadata.program:"Winter,Summer referral"', ["a2", "a1"]],
    ["metadata.payout_source:paypal,wise", ["a2", "a1"]],
    ["-metadata.payout_source:paypal", ["a4", "a3", "a2"]],
    ['-metadata.program:"Summer referral" category:payment', ["a2"]],
    ["metadata.payout_source:wise status:failed", ["a2"]],
    ["metadata.payout_source:wise status:complete", []],
    ["METADATA.currency:EUR", ["a1"]],
    // Numbers as written, booleans as true or false.
    ["metadata.amount:12.5", ["a1"]],
    ["metadata.amount:40", ["a2"]],
    ["metadata.vip:true", ["a1"]],
    ["metadata.vip:false", []],
    // Keys that are Object.prototype's names are plain keys (ingest keeps no `__proto__` key at all).
    ["metadata.__proto__:proto", []],
    ["metadata.constructor:ctor", ["a2"]],
    ["metadata.constructor:Object", []],
    ["metadata.toString:x", []],
    // Values are compared as stored text: quotes, LIKE wildcards and SQL stay values.
    [`metadata.quote:"'; DROP TABLE events; --"`, ["a3"]],
    ["metadata.percent:100%_off", ["a3"]],
    ["metadata.percent:100%", []],
    ["metadata.percent:%", []],
    // Only top-level scalars of at most 200 characters are indexed; a nested value is not its parent's.
    ['metadata.nested:"Summer referral"', []],
    [`metadata.long:${"x".repeat(200)}`, []],
    // Another project's values never match, even on the same shard.
    ['metadata.program:"Only the neighbour"', []],
    ["metadata.unknown_key:x", []],
    ["-metadata.unknown_key:x", ["a4", "a3", "a2", "a1"]],
    ["ip:198.51.100.66", ["a1"]],
    ["ip:198.51.100.66,198.51.100.67", ["a2", "a1"]],
    ["-ip:198.51.100.66", ["a4", "a3", "a2"]],
    ["ip:198.51.100.6", []],
  ])("%s", async (query, expected) => {
    expect(await ids({ query })).toEqual(expected);
  });

  it("takes ip as a filter parameter too, and combines metadata with the time range", async () => {
    expect(await ids({ ip: "198.51.100.67" })).toEqual(["a2"]);
    expect(await ids({ query: "metadata.payout_source:paypal,wise", from: "2026-11-02" })).toEqual(["a2"]);
    expect(await ids({ query: "metadata.payout_source:paypal,wise", to: "2026-11-01" })).toEqual(["a1"]);
  });

  it("answers the API's list and count, and a bad key with a 422 naming its column", async () => {
    const q = encodeURIComponent('metadata.program:"Summer referral"');
    const list = await expectJson<{ data: { id: string; metadata: Record<string, unknown> }[] }>(
      await api("GET", `/v1/events?query=${q}`, { key: tenant.keys.read }),
      200,
    );
    expect(list.data.map((e) => e.id)).toEqual(["a1"]);
    const count = await expectJson<{ count: number }>(
      await api("GET", `/v1/events/count?query=${q}&ip=198.51.100.66`, { key: tenant.keys.read }),
      200,
    );
    expect(count.count).toBe(1);
    const bad = await expectProblem(
      await api("GET", `/v1/events?query=${encodeURIComponent("status:failed metadata.a;b:x")}`, {
        key: tenant.keys.read,
      }),
      422,
    );
    expect(bad.errors).toEqual([
      { path: "query", message: expect.stringContaining('invalid metadata key "a;b" at column 15') },
    ]);
  });

  it("exports exactly the events the filter lists", async () => {
    const created = await expectJson<{ id: string; task_id: string }>(
      await api("POST", "/v1/exports", {
        key: tenant.keys.read,
        body: { format: "jsonl", filters: { query: "metadata.payout_source:paypal,wise -ip:198.51.100.67" } },
      }),
      202,
    );
    for (let step = 0; step < 20; step++) {
      const outcome = await runTaskStep(systemContext(), created.task_id, TASK_KINDS, { enqueueNext: false });
      if (outcome === "done") break;
    }
    const text = await (await api("GET", `/v1/exports/${created.id}/download`, { key: tenant.keys.read })).text();
    const rows = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string });
    expect(rows.map((r) => r.id)).toEqual(["a1"]);
  });

  it("removes an event's metadata rows with the event, and refuses to change them", async () => {
    const own = await createTenant();
    await post(own, eventsOf("d"));
    const { d1, pn } = shardOf(own.project);
    const rows = async () =>
      (await d1.prepare("SELECT count(*) AS n FROM event_metadata WHERE pn = ?").bind(pn).first<{ n: number }>())?.n;
    // d1: program, payout_source, amount, currency, vip; d2: four (no __proto__); d3: to, quote, percent, empty.
    expect(await rows()).toBe(13);
    const cutoff = Date.parse("2026-11-02T00:00:00Z");
    await d1.batch([
      d1.prepare("INSERT INTO delete_cutoffs (pn, cutoff) VALUES (?, ?)").bind(pn, cutoff),
      d1.prepare("DELETE FROM events WHERE pn = ? AND occurred_at < ?").bind(pn, cutoff),
      d1.prepare("DELETE FROM delete_cutoffs WHERE pn = ?").bind(pn),
    ]);
    expect(await rows()).toBe(8);
    await expect(d1.prepare("UPDATE event_metadata SET value = 'x' WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /append-only/,
    );
  });
});
