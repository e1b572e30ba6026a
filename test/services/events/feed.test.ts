import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Project } from "../../../src/db/schema";
import { storeStatements } from "../../../src/db/shard/write";
import {
  decodeFeedCursor,
  FEED_SCAN_ROWS,
  FEED_START,
  type FeedPosition,
  feedQuery,
  readFeed,
  scanEdgeQuery,
} from "../../../src/services/events/feed";
import { compileFilters } from "../../../src/services/events/filters";
import { EventInput } from "../../../src/services/events/schema";
import { prepareEvent } from "../../../src/services/ingest/prepare";
import { COMMIT_WINDOW_MS, recordEvents } from "../../../src/services/ingest/record";
import {
  api,
  createTenant,
  expectAuthorisation,
  expectJson,
  expectProblem,
  projectContext,
  shardOf,
  type Tenant,
} from "../../fixtures";

const SETTLE = 60_000;

/** Inputs as the API's schema reads them (defaults filled in). */
const inputs = (events: Record<string, unknown>[]) => events.map((e) => EventInput.parse(e));
const NONE = { conditions: [], text: [] };

/**
 * Stores events as an ingest that took `receivedAt` would, whenever this is called: what a request
 * committing late looks like to the feed.
 */
async function storeAt(project: Project, inputs: Record<string, unknown>[], receivedAt: number): Promise<void> {
  const { d1, pn } = shardOf(project);
  const rows = await Promise.all(
    inputs.map(async (input) => ({
      ...(await prepareEvent(EventInput.parse(input), { receivedAt, isSensitive: () => false, path: "" })),
      receivedAt,
    })),
  );
  await d1.batch(storeStatements(d1, pn, rows).statements);
}

/** Reads the feed to its end at `now`, from `after`; returns the ids and the final position. */
async function drain(project: Project, after: FeedPosition, now: number, limit = 7, settle = SETTLE, filters = {}) {
  const ctx = projectContext(project);
  const query = compileFilters(filters, project.timezone);
  const ids: string[] = [];
  let position = after;
  for (let i = 0; i < 1000; i++) {
    const page = await readFeed(ctx, query, { after: position, limit }, now, settle);
    ids.push(...page.rows.map((r) => r.id));
    position = page.next;
    if (!page.more) break;
  }
  return { ids, position };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the events feed", () => {
  it("orders by receipt, so an event that arrives late with an old occurred_at comes after what was received before it", async () => {
    const { project } = await createTenant();
    const ctx = projectContext(project);
    await recordEvents(ctx, inputs([{ id: "first", type: "a.b", occurred_at: "2026-11-02T10:00:00Z" }]), {
      batch: false,
    });
    await recordEvents(ctx, inputs([{ id: "second", type: "a.b", occurred_at: "2026-11-02T11:00:00Z" }]), {
      batch: false,
    });
    await recordEvents(ctx, inputs([{ id: "late", type: "a.b", occurred_at: "2020-01-01T00:00:00Z" }]), {
      batch: false,
    });
    const { ids } = await drain(project, FEED_START, Date.now() + SETTLE + 1000);
    expect(ids).toEqual(["first", "second", "late"]);
  });

  it("serves only settled events: nothing received within the settle time", async () => {
    const { project } = await createTenant();
    const ctx = projectContext(project);
    await recordEvents(ctx, inputs([{ id: "fresh", type: "a.b" }]), { batch: false });
    const now = Date.now();
    expect((await drain(project, FEED_START, now)).ids).toEqual([]);
    expect((await drain(project, FEED_START, now + SETTLE + 1000)).ids).toEqual(["fresh"]);
  });

  it("walks every event exactly once while events arrive: late ones with old occurred_at and concurrent batches", async () => {
    const { project } = await createTenant();
    const ctx = projectContext(project);
    const initial = Array.from({ length: 60 }, (_, i) => ({ id: `evt_${i}`, type: "referral.created" }));
    await recordEvents(ctx, inputs(initial), { batch: true });
    const written = new Set(initial.map((e) => e.id));
    const seen: string[] = [];
    let position = FEED_START;
    for (let round = 0; round < 12; round++) {
      // A poll, with concurrent writers: three batches at once, one of them old by occurred_at.
      const poll = readFeed(
        ctx,
        { conditions: [], text: [] },
        { after: position, limit: 9 },
        Date.now() + SETTLE + 1000,
        SETTLE,
      );
      const writes = [0, 1, 2].map((w) => {
        const batch = [
          { id: `r${round}_w${w}_a`, type: "referral.created" },
          { id: `r${round}_w${w}_late`, type: "referral.created", occurred_at: "2019-05-01T00:00:00Z" },
        ];
        for (const e of batch) written.add(e.id);
        return recordEvents(ctx, inputs(batch), { batch: true });
      });
      const [page] = await Promise.all([poll, ...writes]);
      seen.push(...page.rows.map((r) => r.id));
      position = page.next;
    }
    const rest = await drain(project, position, Date.now() + SETTLE + 1000);
    seen.push(...rest.ids);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(written);
  });

  it("never misses a write that commits late, as long as it commits within the settle time of its receive time", async () => {
    // Writers take a receive time, then commit up to 50 s later (COMMIT_WINDOW_MS plus D1's 30 s
    // batch limit); a poller reads every 7 s. With the settle time nothing is missed or repeated;
    // without it (the control run) late commits fall behind positions already served.
    const run = async (settle: number) => {
      const { project } = await createTenant();
      const t0 = Date.parse("2026-11-02T10:00:00Z");
      const writes = Array.from({ length: 30 }, (_, i) => ({
        id: `w_${i}`,
        receivedAt: t0 + i * 3_000,
        commitAt: t0 + i * 3_000 + ((i * 7919) % (COMMIT_WINDOW_MS + 30_000)),
      }));
      const seen: string[] = [];
      let position = FEED_START;
      const committed = new Set<string>();
      for (let now = t0; now <= t0 + 300_000; now += 7_000) {
        for (const w of writes) {
          if (w.commitAt <= now && !committed.has(w.id)) {
            committed.add(w.id);
            await storeAt(
              project,
              [{ id: w.id, type: "late.commit", occurred_at: "2001-01-01T00:00:00Z" }],
              w.receivedAt,
            );
          }
        }
        const page = await drain(project, position, now, 4, settle);
        seen.push(...page.ids);
        position = page.position;
      }
      return { seen, all: writes.map((w) => w.id) };
    };
    const settled = await run(SETTLE);
    expect(new Set(settled.seen).size).toBe(settled.seen.length);
    expect([...settled.seen].sort()).toEqual([...settled.all].sort());
    const unsettled = await run(0);
    expect(unsettled.seen.length).toBeLessThan(unsettled.all.length);
  });

  it("keeps the cursor on an empty page and moves past what a rare filter read", async () => {
    const { project } = await createTenant();
    const ctx = projectContext(project);
    const now = Date.now() + SETTLE + 1000;
    const empty = await readFeed(ctx, NONE, { after: FEED_START, limit: 10 }, now, SETTLE);
    expect(empty).toEqual({ rows: [], next: FEED_START, more: false });
    await storeAt(project, [{ id: "x1", type: "noise.a", category: "activity" }], now - SETTLE - 10);
    const query = compileFilters({ category: "auth" }, "UTC");
    const page = await readFeed(ctx, query, { after: FEED_START, limit: 10 }, now, SETTLE);
    expect(page.rows).toEqual([]);
    expect(page.more).toBe(false);
    expect(page.next).toEqual(FEED_START);
  });

  it("answers a rare filter after reading at most FEED_SCAN_ROWS rows, with a cursor past them", async () => {
    const { project } = await createTenant();
    const ctx = projectContext(project);
    const base = Date.parse("2026-11-02T10:00:00Z");
    const noise = Array.from({ length: FEED_SCAN_ROWS + 200 }, (_, i) => ({ id: `n_${i}`, type: "noise.a" }));
    for (let i = 0; i < noise.length; i += 1000) await storeAt(project, noise.slice(i, i + 1000), base + i);
    await storeAt(project, [{ id: "wanted", type: "user.login", category: "auth" }], base + 10_000);
    const query = compileFilters({ category: "auth" }, "UTC");
    const now = base + 100_000;
    const first = await readFeed(ctx, query, { after: FEED_START, limit: 10 }, now, SETTLE);
    expect(first.rows).toEqual([]);
    expect(first.more).toBe(true);
    expect(first.next.receivedAt).toBeGreaterThan(base);
    const { ids } = await drain(project, first.next, now, 10, SETTLE, { category: "auth" });
    expect(ids).toEqual(["wanted"]);
  });

  it("reads the receive-time index, never a scan of the shard", async () => {
    const query = compileFilters({ query: "category:auth -source:api changed:status approved" }, "UTC");
    for (const statement of [
      feedQuery(7, query, { receivedAt: 5, id: "x" }, 100, 10),
      feedQuery(7, NONE, FEED_START, 100, 10),
      scanEdgeQuery(7, FEED_START, 100),
    ]) {
      const { SQLiteAsyncDialect } = await import("drizzle-orm/sqlite-core");
      const { sql, params } = new SQLiteAsyncDialect().sqlToQuery(statement);
      const plan = await env.EVENTS_1.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const details = plan.results.map((r) => r.detail).join("\n");
      expect(details).toContain("events_received");
      expect(details).not.toMatch(/SCAN events\b(?! USING)/);
    }
  });
});

describe("ingest commits within its window or not at all", () => {
  it("takes a new receive time when too much time passed before the write", async () => {
    const { project } = await createTenant();
    const real = Date.now.bind(Date);
    const start = real();
    let calls = 0;
    // The clock jumps past the commit window right after the first receive time was taken.
    vi.spyOn(Date, "now").mockImplementation(() => (calls++ === 0 ? start : start + COMMIT_WINDOW_MS + 1000));
    const [result] = await recordEvents(projectContext(project), inputs([{ id: "slow", type: "a.b" }]), {
      batch: false,
    });
    vi.restoreAllMocks();
    expect(Date.parse(result?.received_at ?? "")).toBe(start + COMMIT_WINDOW_MS + 1000);
    const { d1, pn } = shardOf(project);
    const row = await d1
      .prepare("SELECT received_at AS r FROM events WHERE pn = ? AND id = 'slow'")
      .bind(pn)
      .first<{ r: number }>();
    expect(row?.r).toBe(start + COMMIT_WINDOW_MS + 1000);
  });
});

type FeedPage = { data: { id: string }[]; next_cursor: string; has_more: boolean };

describe("GET /v1/events/feed", () => {
  async function tenantWithOldEvents(): Promise<Tenant> {
    const tenant = await createTenant();
    const old = Date.now() - 10 * 60_000;
    await storeAt(
      tenant.project,
      Array.from({ length: 5 }, (_, i) => ({
        id: `e${i}`,
        type: i % 2 ? "user.login" : "payout.created",
        category: i % 2 ? "auth" : "payment",
      })),
      old,
    );
    return tenant;
  }

  it("pages in storing order with a Link header, any list filter, and keeps the cursor on an empty page", async () => {
    const tenant = await tenantWithOldEvents();
    const first = await api("GET", "/v1/events/feed?limit=2", { key: tenant.keys.read });
    const page1 = await expectJson<FeedPage>(first, 200);
    expect(page1.data.map((e) => e.id)).toEqual(["e0", "e1"]);
    expect(page1.has_more).toBe(true);
    const link = first.headers.get("Link") ?? "";
    expect(link).toMatch(/^<http:\/\/trailbook\.test\/v1\/events\/feed\?limit=2&cursor=[^>]+>; rel="next"$/);
    const next = /<([^>]+)>/.exec(link)?.[1]?.replace("http://trailbook.test", "") ?? "";
    const page2 = await expectJson<FeedPage>(await api("GET", next, { key: tenant.keys.read }), 200);
    expect(page2.data.map((e) => e.id)).toEqual(["e2", "e3"]);
    const rest = await expectJson<FeedPage>(
      await api("GET", `/v1/events/feed?limit=50&cursor=${page2.next_cursor}`, { key: tenant.keys.read }),
      200,
    );
    expect(rest.data.map((e) => e.id)).toEqual(["e4"]);
    expect(rest.has_more).toBe(false);
    const empty = await expectJson<FeedPage>(
      await api("GET", `/v1/events/feed?cursor=${rest.next_cursor}`, { key: tenant.keys.read }),
      200,
    );
    expect(empty).toEqual({ data: [], next_cursor: rest.next_cursor, has_more: false });

    const auth = await expectJson<FeedPage>(
      await api("GET", "/v1/events/feed?category=auth", { key: tenant.keys.read }),
      200,
    );
    expect(auth.data.map((e) => e.id)).toEqual(["e1", "e3"]);
    const syntax = await expectJson<FeedPage>(
      await api("GET", `/v1/events/feed?query=${encodeURIComponent("type:payout.* -source:x")}`, {
        key: tenant.keys.read,
      }),
      200,
    );
    expect(syntax.data.map((e) => e.id)).toEqual(["e0", "e2", "e4"]);
  });

  it("refuses bad cursors, limits and filters with a 422, and checks keys", async () => {
    const tenant = await tenantWithOldEvents();
    const listCursor = (
      await expectJson<{ next_cursor: string }>(await api("GET", "/v1/events?limit=1", { key: tenant.keys.read }), 200)
    ).next_cursor;
    for (const query of [
      `cursor=${listCursor}`,
      "cursor=f1.garbage",
      "limit=0",
      "limit=501",
      "colour=red",
      "query=colour:red",
    ])
      await expectProblem(await api("GET", `/v1/events/feed?${query}`, { key: tenant.keys.read }), 422);
    await expectAuthorisation((key) => api("GET", "/v1/events/feed", { key }), tenant, ["ingest"]);
    // Another project's key sees its own (empty) feed.
    const other = await createTenant();
    const theirs = await expectJson<FeedPage>(await api("GET", "/v1/events/feed", { key: other.keys.read }), 200);
    expect(theirs.data).toEqual([]);
    expect(decodeFeedCursor(theirs.next_cursor)).toEqual(FEED_START);
  });
});
