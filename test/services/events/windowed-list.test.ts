import { beforeAll, describe, expect, it } from "vitest";
import { compileFilters, type EventFilters, scopeForAccess } from "../../../src/services/events/filters";
import { bucketTokens, encodeCursor, listEvents, listNewer, readsWindow } from "../../../src/services/events/query";
import {
  api,
  createTenant,
  expectJson,
  projectContext,
  shardOf,
  type Tenant,
  tenantBesideAnother,
} from "../../fixtures";

// A list over a set-like filter first reads the newest rows in time order (a window), then leaves
// the older rest to the filter's index. These tests page through every filter with tiny windows,
// so each page crosses a window edge, and compare the result with the filter's index alone.

const TYPES = ["commission.created", "commission.updated", "payout.created", "user.login", "commission_rule.changed"];
const BASE = Date.parse("2026-10-01T00:00:00Z");

/** 240 events, posted in a shuffled order so seq and time disagree, with runs of equal times. */
function eventsFor(prefix: string) {
  const out = Array.from({ length: 240 }, (_, i) => ({
    id: `${prefix}_${String(i).padStart(3, "0")}`,
    type: TYPES[(i * 7) % TYPES.length],
    status: i % 3 === 0 ? "failure" : "success",
    source: ["api", "dashboard", "system"][i % 3],
    actor: { type: "team_member", id: `u_${i % 11}`, email: `user${i % 11}@example.com` },
    entity: { type: "commission", id: String(i % 13) },
    organization_id: `org_${i % 4}`,
    summary: i % 9 === 0 ? `Commission approved ${i}` : `Payout processed ${i}`,
    changes: i % 5 === 0 ? { status: ["pending", "approved"] } : i % 17 === 0 ? { amount: [1, 2] } : undefined,
    // Ten events share each second for the newest 100; the rest are a minute apart.
    occurred_at: new Date(
      i < 100 ? BASE + 1_000_000_000 - Math.floor(i / 10) * 1000 : BASE + (240 - i) * 60_000,
    ).toISOString(),
  }));
  // A fixed shuffle: deterministic, far from time order.
  return out
    .map((e, i) => ({ e, k: (i * 97) % 241 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.e);
}

const CASES: [string, EventFilters][] = [
  ["type prefix (common)", { type: "commission.*" }],
  ["type prefix (rare)", { type: "commission_rule.*" }],
  ["type list", { type: "payout.created,user.login" }],
  ["status list", { status: "success,failure" }],
  ["changed (common)", { changed: "status" }],
  ["changed (rare)", { changed: "amount" }],
  ["changed with entity", { changed: "commission.status" }],
  ["full text (common)", { q: "payout" }],
  ["full text (rare)", { q: "approved" }],
  ["full text, no match", { q: "nothingmatchesthis" }],
  ["actor by e-mail", { query: "actor:user3@example.com" }],
  ["search syntax", { query: "type:commission.* -source:api status:success" }],
  ["negated changed and text", { query: "-changed:status -approved" }],
  ["changed and time range", { changed: "status", from: "2026-10-01T02:00:00Z", to: "2026-10-12T12:00:00Z" }],
  ["text with a served filter", { q: "processed", organization_id: "org_1" }],
];

describe("windowed lists", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await tenantBesideAnother(eventsFor);
  });

  async function pageThrough(filters: EventFilters, window: number, limit: number): Promise<string[]> {
    const query = compileFilters(filters, "UTC");
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 500; guard++) {
      const page = await listEvents(projectContext(tenant.project), query, { limit, cursor, window });
      ids.push(...page.data.map((e) => e.id));
      if (!page.next_cursor) return ids;
      cursor = page.next_cursor;
    }
    throw new Error("pagination did not end");
  }

  it.each(CASES)(
    "%s: every window size gives the index's own result, page by page",
    async (_name, filters) => {
      expect(readsWindow(compileFilters(filters, "UTC"))).toBe(true);
      const reference = await pageThrough(filters, 0, 1_000);
      for (const window of [1, 6, 25, 10_000]) {
        for (const limit of [4, 50]) {
          expect(await pageThrough(filters, window, limit), `window ${window}, limit ${limit}`).toEqual(reference);
        }
      }
    },
    60_000,
  );

  it("the reference itself is right: newest first by time then id, only this project's events", async () => {
    const ids = await pageThrough({ type: "commission.*" }, 0, 1_000);
    const expected = eventsFor("evt")
      .filter((e) => e.type?.startsWith("commission."))
      .sort((a, b) =>
        a.occurred_at === b.occurred_at ? (a.id < b.id ? 1 : -1) : a.occurred_at < b.occurred_at ? 1 : -1,
      )
      .map((e) => e.id);
    expect(ids).toEqual(expected);
    expect(ids.length).toBeGreaterThan(50);
  });

  it("a partner viewer's scope applies inside the window", async () => {
    const query = scopeForAccess(compileFilters({ q: "payout" }, "UTC"), { role: "viewer", organizationId: "org_2" });
    const page = await listEvents(projectContext(tenant.project), query, { limit: 200, window: 5 });
    const unscoped = await listEvents(projectContext(tenant.project), compileFilters({ q: "payout" }, "UTC"), {
      limit: 1_000,
      window: 0,
    });
    const expected = unscoped.data.filter((e) => e.organization_id === "org_2").map((e) => e.id);
    expect(expected.length).toBeGreaterThan(10);
    expect(page.data.map((e) => e.id)).toEqual(expected);
  });

  it("live mode returns only newer matches, full text included", async () => {
    const query = compileFilters({ q: "fresh" }, "UTC");
    const since = encodeCursor(BASE + 2_000_000_000, "");
    expect(await listNewer(projectContext(tenant.project), query, since, 100)).toEqual([]);
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            {
              id: "live_1",
              type: "user.login",
              summary: "fresh login",
              occurred_at: new Date(BASE + 2_000_000_500).toISOString(),
            },
            {
              id: "live_2",
              type: "user.login",
              summary: "stale login",
              occurred_at: new Date(BASE + 2_000_000_600).toISOString(),
            },
            {
              id: "live_0",
              type: "user.login",
              summary: "fresh but older",
              occurred_at: new Date(BASE + 1_999_000_000).toISOString(),
            },
          ],
        },
      }),
      201,
    );
    const newer = await listNewer(projectContext(tenant.project), query, since, 100);
    expect(newer.map((e) => e.id)).toEqual(["live_1"]);
  });

  it("the time buckets computed here are the ones the insert trigger writes", async () => {
    const times = [
      Date.parse("2026-03-29T00:00:05Z"),
      Date.parse("2026-03-29T00:59:59.999Z"),
      Date.parse("2026-03-29T01:00:00Z"),
      Date.parse("1969-12-31T23:00:00Z"),
      0,
      Date.parse("2026-11-30T12:00:00Z"),
    ];
    const t = await createTenant();
    const posted = times.map((ms, i) => ({
      id: `bkt_${i}`,
      type: "user.login",
      summary: "bucket check",
      occurred_at: new Date(ms).toISOString(),
    }));
    await expectJson(await api("POST", "/v1/events/batch", { key: t.keys.ingest, body: { events: posted } }), 201);
    const { d1, pn } = shardOf(t.project);
    const seqOf = async (id: string) =>
      (await d1.prepare("SELECT seq FROM events WHERE pn = ? AND id = ?").bind(pn, id).first<{ seq: number }>())?.seq;
    for (const [i, ms] of times.entries()) {
      const seq = await seqOf(`bkt_${i}`);
      // Spans of an instant, two days, two years and a century pick hours, days, 32-day and 1,024-day buckets.
      for (const before of [0, 2 * 86_400_000, 730 * 86_400_000, 36_500 * 86_400_000]) {
        const tokens = bucketTokens(pn, ms - before, ms);
        const found = await d1
          .prepare("SELECT rowid AS seq FROM events_fts WHERE events_fts MATCH ?")
          .bind(`body : "bucket" AND bucket : (${tokens.join(" OR ")})`)
          .all<{ seq: number }>();
        expect(
          found.results.map((r) => r.seq),
          `${new Date(ms).toISOString()} − ${before} ms: ${tokens.join(" ")}`,
        ).toContain(seq);
      }
    }
    expect(bucketTokens(pn, 0, Date.parse("2026-01-01"))[0]).toBe(`"y${pn}x0"`);
    // However long the span, the tokens name the project: a search never reaches another one's rows.
    const huge = bucketTokens(7, 0, 10 ** 15);
    expect(huge[0]).toBe('"y7x0"');
    expect(huge.every((token) => /^"y7x\d+"$/.test(token))).toBe(true);
    // Another project's buckets hold none of these events.
    const elsewhere = await d1
      .prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?")
      .bind(`body : "bucket" AND bucket : (${bucketTokens(pn + 1, 0, Date.now()).join(" OR ")})`)
      .first<{ n: number }>();
    expect(elsewhere?.n).toBe(0);
  });

  it("search text never matches the time buckets", async () => {
    const [token] = bucketTokens(shardOf(tenant.project).pn, BASE, BASE);
    const word = (token ?? "").replace(/"/g, "");
    expect(word).toMatch(/^h\d+x\d+$/);
    for (const window of [0, 10_000]) {
      const page = await listEvents(projectContext(tenant.project), compileFilters({ q: word }, "UTC"), {
        limit: 10,
        window,
      });
      expect(page.data).toEqual([]);
    }
  });
});
