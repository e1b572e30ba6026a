import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../../src/db/client";
import { compileFilters, type EventFilters } from "../../../src/services/events/filters";
import { countQuery, encodeCursor, listQuery } from "../../../src/services/events/query";

// DESIGN §6: every filter, alone or with the time range, is served by an index. A "SCAN events"
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
  return details.filter((d) => /^SCAN (events|event_changes)\b(?!_fts)/.test(d));
}

describe("query plans", () => {
  const db = createDb(env.DB);

  it.each(FILTERS)("%s: the list query uses an index", async (_name, filters) => {
    const query = compileFilters(filters, "Europe/Berlin");
    for (const cursor of [undefined, encodeCursor(Date.parse("2026-11-03T00:00:00Z"), "evt_x")]) {
      const { sql, params } = listQuery(db, "prj_x", query, { limit: 50, cursor }).toSQL();
      const details = await plan(sql, params);
      expect(fullScans(details), details.join("\n")).toEqual([]);
      expect(details.some((d) => /^SEARCH events USING/.test(d)), details.join("\n")).toBe(true);
    }
  });

  it.each(FILTERS)("%s: the count query uses an index", async (_name, filters) => {
    const { sql, params } = countQuery(db, "prj_x", compileFilters(filters, "UTC")).toSQL();
    const details = await plan(sql, params);
    expect(fullScans(details), details.join("\n")).toEqual([]);
  });
});
