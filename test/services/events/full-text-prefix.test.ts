import { sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteEvents } from "../../../src/db/shard/write";
import { compileFilters, type EventFilters } from "../../../src/services/events/filters";
import { listEvents, prefixTerms, whereClause } from "../../../src/services/events/query";
import {
  api,
  createTenant,
  expectJson,
  projectContext,
  shardOf,
  type Tenant,
  tenantBesideAnother,
} from "../../fixtures";

// A bare search word is a prefix. Words that are one ASCII token are read as the index terms they
// are a prefix of (events_fts_terms), which must find exactly what FTS5's own prefix query finds.

const SUMMARIES = [
  "payout approved",
  "Payouts approved quickly",
  "payoutly report",
  "pay run",
  "pay zeta00 and zeta01",
  "quiz v9 passed",
  "quizz v99",
  "quiz only",
  "Über naïve überweisung",
  "überweisung naïveté",
  "pay-zeta05 hyphenated",
  ...Array.from({ length: 20 }, (_, i) => `zeta${String(i).padStart(2, "0")} item`),
];

/** Every summary four times, a minute apart, some with a message too. */
function eventsFor(prefix: string) {
  return Array.from({ length: SUMMARIES.length * 4 }, (_, i) => ({
    id: `${prefix}_${String(i).padStart(3, "0")}`,
    type: i % 2 ? "payout.created" : "commission.updated",
    summary: `${SUMMARIES[i % SUMMARIES.length]} ${i}`,
    message: i % 5 === 0 ? "approved-by-rule" : undefined,
    occurred_at: new Date(Date.parse("2026-10-01T00:00:00Z") + i * 60_000).toISOString(),
  }));
}

describe("full-text prefixes read as index terms", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await tenantBesideAnother(eventsFor);
  });

  /** What a word becomes on the shard of `of` (the tenant unless given): the vocabulary is the shard's. */
  async function expansion(token: string, of: Tenant = tenant): Promise<string> {
    const [row] = await projectContext(of.project).events.db.all<{ q: string }>(sql`SELECT ${prefixTerms(token)} AS q`);
    return row?.q ?? "";
  }

  /** FTS5's own prefix query, the reference: the events it matches; `without` removes matches of a second. */
  async function reference(fts: string | null, without?: string): Promise<string[]> {
    const match = "SELECT rowid FROM events_fts WHERE events_fts MATCH ?";
    const { d1, pn } = shardOf(tenant.project);
    const found = await d1
      .prepare(
        `SELECT id FROM events WHERE pn = ? AND (? IS NULL OR seq IN (${match})) AND (? IS NULL OR seq NOT IN (${match})) ORDER BY occurred_at DESC, id DESC`,
      )
      .bind(pn, fts, fts ?? "x", without ?? null, without ?? "x")
      .all<{ id: string }>();
    return found.results.map((r) => r.id);
  }

  /** The list, through the filter's index and through a small window, which must agree. */
  async function listed(filters: EventFilters): Promise<string[]> {
    const query = compileFilters(filters, "UTC");
    const ids = (await listEvents(projectContext(tenant.project), query, { limit: 1_000, window: 0 })).data.map(
      (e) => e.id,
    );
    expect(
      (await listEvents(projectContext(tenant.project), query, { limit: 1_000, window: 7 })).data.map((e) => e.id),
    ).toEqual(ids);
    return ids;
  }

  it("names the terms a prefix covers, and keeps the prefix when it covers none or too many", async () => {
    expect(await expansion("payout")).toBe('("payout" OR "payoutly" OR "payouts")');
    expect(await expansion("approved")).toBe('("approved")');
    expect(await expansion("quiz")).toBe('("quiz" OR "quizz")');
    expect(await expansion("v9")).toBe('("v9" OR "v99")');
    // 20 words start with zeta: more than a search reads by name.
    expect(await expansion("zeta")).toBe('"zeta"*');
    expect(await expansion("zeta1")).toBe(
      '("zeta10" OR "zeta11" OR "zeta12" OR "zeta13" OR "zeta14" OR "zeta15" OR "zeta16" OR "zeta17" OR "zeta18" OR "zeta19")',
    );
    expect(await expansion("nothingstartslikethis")).toBe('"nothingstartslikethis"*');
    // A search's words are read so (lowercased, as the tokenizer keeps them); others stay prefixes.
    const built = new SQLiteAsyncDialect().sqlToQuery(
      whereClause(shardOf(tenant.project).pn, compileFilters({ q: "PAYOUT über" }, "UTC")),
    );
    expect(built.sql).toContain("events_fts_terms");
    expect(built.params).toContain("payout");
    expect(built.params).not.toContain("über");
  });

  it.each<[string, EventFilters, string | null, string | undefined, number]>([
    ["one word", { q: "payout" }, 'body : "payout"*', undefined, 10],
    ["capitals", { q: "PAYOUT Approved" }, 'body : ("payout"* AND "approved"*)', undefined, 8],
    ["words ending in z and 9", { q: "quiz v9" }, 'body : ("quiz"* AND "v9"*)', undefined, 8],
    ["a prefix of too many terms", { q: "zeta" }, 'body : "zeta"*', undefined, 20],
    [
      "a word matching nothing",
      { q: "payout nothingstartslikethis" },
      'body : ("payout"* AND "nothingstartslikethis"*)',
      undefined,
      0,
    ],
    ["non-ASCII words, which stay prefixes", { q: "über naïve" }, 'body : ("über"* AND "naïve"*)', undefined, 8],
    ["a hyphenated word, which stays a prefix", { q: "pay-zeta" }, 'body : "pay-zeta"*', undefined, 4],
    [
      "a phrase beside a word",
      { query: '"payout approved" approved' },
      'body : ("payout approved" AND "approved"*)',
      undefined,
      4,
    ],
    ["negated words", { query: "pay -payouts -zeta0" }, 'body : ("pay"* NOT ("payouts"* OR "zeta0"*))', undefined, 10],
    ["only negated words", { query: "-payout -quiz" }, null, 'body : ("payout"* OR "quiz"*)', 30],
    [
      "more words than are read by name",
      { q: "pay pay pay pay pay pay pay pay pay payout" },
      'body : "payout"*',
      undefined,
      10,
    ],
  ])("%s: the same events as FTS5's prefix query", async (_name, filters, fts, without, atLeast) => {
    const ids = await listed(filters);
    expect(ids).toEqual(await reference(fts, without));
    if (atLeast === 0) expect(ids).toEqual([]);
    else expect(ids.length).toBeGreaterThanOrEqual(atLeast);
  });

  it("an event deleted from the index is not found through a term it leaves behind", async () => {
    const t = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: t.keys.ingest,
        body: {
          events: [
            { id: "gone_1", type: "user.login", summary: "vanishingword here", occurred_at: "2026-10-02T00:00:00Z" },
            { id: "kept_1", type: "user.login", summary: "vanishingwords stay", occurred_at: "2026-10-02T00:01:00Z" },
          ],
        },
      }),
      201,
    );
    const query = compileFilters({ q: "vanishing" }, "UTC");
    expect((await listEvents(projectContext(t.project), query, { limit: 10 })).data.map((e) => e.id)).toEqual([
      "kept_1",
      "gone_1",
    ]);
    // Only retention (and a move) deletes events, through the delete trigger; this deletes as it does.
    const cutoff = Date.parse("2026-10-02T00:00:30Z");
    const shard = shardOf(t.project);
    const gone = await shard.d1
      .prepare("SELECT seq FROM events WHERE pn = ? AND id = 'gone_1'")
      .bind(shard.pn)
      .first<{ seq: number }>();
    await deleteEvents(shard, [gone?.seq ?? -1], cutoff);
    expect(await expansion("vanishing", t)).toContain('"vanishingwords"');
    expect((await listEvents(projectContext(t.project), query, { limit: 10 })).data.map((e) => e.id)).toEqual([
      "kept_1",
    ]);
  });
});
