import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../../src/db/client";
import { compileFilters, type EventFilters } from "../../../src/services/events/filters";
import {
  countQuery,
  encodeCursor,
  listQuery,
  olderThan,
  readsWindow,
  WINDOW_ROWS,
  walkQuery,
  windowQuery,
} from "../../../src/services/events/query";

// README "Storage": every filter, alone or with the time range, is served by an index. A "SCAN events"
// line in the plan would read the whole table (every project's events) for one page.

const FILTERS: [string, EventFilters][] = [
  ["no filter (the default view)", {}],
  ["time range", { from: "2026-11-01", to: "2026-11-07" }],
  ["category", { category: "payment" }],
  ["category list", { category: "payment,email" }],
  ["type", { type: "commission.updated" }],
  ["type prefix", { type: "commission.*" }],
  ["type exact and prefix", { type: "commission.*,payout.created" }],
  ["status", { status: "failure" }],
  ["source", { source: "api" }],
  ["actor_id", { actor_id: "u_42" }],
  ["actor_type", { actor_type: "team_member" }],
  ["entity_type", { entity_type: "commission" }],
  ["entity_id", { entity_id: "123" }],
  ["organization_id", { organization_id: "org_9" }],
  ["request_id", { request_id: "req_abc" }],
  ["job_id", { job_id: "jid_77" }],
  ["changed", { changed: "status" }],
  ["changed with entity", { changed: "commission.status", from: "2026-11-01" }],
  ["q", { q: "approved" }],
  ["query actor (id, name or e-mail)", { query: "actor:jane@example.com" }],
  ["query entity type:id", { query: "entity:commission:123" }],
  ["query org alias and request", { query: "org:org_9 request:req_abc" }],
  ["query negation with a positive filter", { query: "type:commission.* -source:api" }],
  ["query phrase", { query: '"approved payout"' }],
  ["query dates", { query: "after:2026-11-01 before:2026-11-05 status:failure" }],
];

type PlanRow = { detail: string };

async function plan(sql: string, params: unknown[]): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<PlanRow>();
  return results.map((r) => r.detail);
}

function fullScans(details: string[]): string[] {
  return details.filter((d) => /^SCAN (events|event_changes|event_counts|projects)\b(?!_fts)/.test(d));
}

describe("query plans", () => {
  const db = createDb(env.DB);

  it.each(FILTERS)("%s: the list query uses an index", async (_name, filters) => {
    const query = compileFilters(filters, "Europe/Berlin");
    for (const cursor of [undefined, encodeCursor(Date.parse("2026-11-03T00:00:00Z"), "evt_x")]) {
      const { sql, params } = listQuery(db, "prj_x", query, { limit: 50, cursor }).toSQL();
      const details = await plan(sql, params);
      expect(fullScans(details), details.join("\n")).toEqual([]);
      expect(
        details.some((d) => /^SEARCH events USING/.test(d)),
        details.join("\n"),
      ).toBe(true);
    }
  });

  // Set-like filters first read the newest rows through the time index in order (query.ts,
  // listRows): no sort, no scan, and changed fields probed by event_changes' whole primary key.
  const WINDOWED = FILTERS.filter(([, f]) => readsWindow(compileFilters(f, "UTC")));

  it("the filters that read a window are the set-like ones", () => {
    expect(WINDOWED.map(([name]) => name)).toEqual([
      "category list",
      "type prefix",
      "type exact and prefix",
      "changed",
      "changed with entity",
      "q",
      "query actor (id, name or e-mail)",
      "query negation with a positive filter",
      "query phrase",
    ]);
  });

  it.each(WINDOWED)("%s: the window and its walk read the time index in order", async (_name, filters) => {
    const query = compileFilters(filters, "Europe/Berlin");
    const cursor = encodeCursor(Date.parse("2026-11-03T00:00:00Z"), "evt_x");
    const bound = await db.all<PlanRow>(sql`EXPLAIN QUERY PLAN ${windowQuery("prj_x", query, cursor, WINDOW_ROWS)}`);
    expect(bound.map((r) => r.detail)).toContainEqual(
      expect.stringMatching(/^SEARCH events USING COVERING INDEX events_time \(project_id=\?/),
    );
    for (const span of [undefined, [Date.parse("2026-11-01"), Date.parse("2026-11-02")] as [number, number]]) {
      const details = (
        await db.all<PlanRow>(sql`EXPLAIN QUERY PLAN ${walkQuery("prj_x", query, { span }, olderThan(cursor), 51)}`)
      ).map((r) => r.detail);
      const text = details.join("\n");
      expect(details[0], text).toMatch(/^SEARCH events USING INDEX events_time \(project_id=\?/);
      expect(text).not.toMatch(/TEMP B-TREE/);
      expect(fullScans(details), text).toEqual([]);
      if (query.conditions.some((c) => c.kind === "changed")) {
        expect(text).toMatch(
          /SEARCH event_changes EXISTS USING COVERING INDEX \S+ \(project_id=\? AND field=\? AND occurred_at=\? AND event_seq=\?\)/,
        );
      }
    }
  });

  it.each(FILTERS)("%s: the count query uses an index", async (_name, filters) => {
    const { sql, params } = countQuery(db, "prj_x", compileFilters(filters, "UTC")).toSQL();
    const details = await plan(sql, params);
    expect(fullScans(details), details.join("\n")).toEqual([]);
  });

  it("a count without filters reads days by event_counts' key and the partial days by the time index", async () => {
    for (const filters of [{}, { from: "2026-11-01T10:30:00Z", to: "2026-11-07T08:15:00Z" }]) {
      const { sql, params } = countQuery(db, "prj_x", compileFilters(filters, "UTC")).toSQL();
      const text = (await plan(sql, params)).join("\n");
      expect(text).toMatch(
        /SEARCH event_counts USING (PRIMARY KEY|INDEX sqlite_autoindex_event_counts_1) \(project_id=\? AND day>\?/,
      );
      expect(text).toMatch(/SEARCH events USING COVERING INDEX events_time \(project_id=\? AND occurred_at/);
    }
  });
});
