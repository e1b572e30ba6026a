import { env } from "cloudflare:test";
import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
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
import { actorSuggestionQueries, organizationIdQuery } from "../../../src/services/events/suggest";
import { organizationNameQuery } from "../../../src/services/projects/organizations";

// README "Storage": every filter, alone or with the time range, is served by an index. A "SCAN events"
// line in the plan would read the whole shard (every project's events) for one page. The plans are
// those of an event shard (EVENTS_1) for project number 7: filter values are looked up in the
// shard's dictionary inside the statement (`status = (SELECT id FROM terms …)`), and the indexes of
// nullable columns are partial (`WHERE status IS NOT NULL`), which SQLite must still choose.

const FILTERS: [string, EventFilters][] = [
  ["no filter (the default view)", {}],
  ["time range", { from: "2026-11-01", to: "2026-11-07" }],
  ["category", { category: "payment" }],
  ["category list", { category: "payment,email" }],
  ["type", { type: "commission.updated" }],
  ["type prefix", { type: "commission.*" }],
  ["type exact and prefix", { type: "commission.*,payout.created" }],
  ["action", { action: "created" }],
  ["action list", { action: "created,login" }],
  ["query action with a type prefix", { query: "action:updated type:commission.*" }],
  ["query negated action", { query: "-action:deleted status:success" }],
  ["status", { status: "failure" }],
  ["status list", { status: "failure,success" }],
  ["source", { source: "api" }],
  ["actor_id", { actor_id: "u_42" }],
  ["actor_type", { actor_type: "team_member" }],
  ["entity_type", { entity_type: "commission" }],
  ["entity_id", { entity_id: "123" }],
  ["organization_id", { organization_id: "org_9" }],
  ["organization list", { organization_id: "org_9,org_7" }],
  ["request_id", { request_id: "req_abc" }],
  ["job_id", { job_id: "jid_77" }],
  ["changed", { changed: "status" }],
  ["changed with entity", { changed: "commission.status", from: "2026-11-01" }],
  ["q", { q: "approved" }],
  ["query actor (id, name or e-mail)", { query: "actor:jane@example.com" }],
  ["query actor by the start of names", { query: "actor:jan,doe" }],
  ["query entity type:id", { query: "entity:commission:123" }],
  ["query org alias and request", { query: "org:org_9 request:req_abc" }],
  ["query negation with a positive filter", { query: "type:commission.* -source:api" }],
  ["query phrase", { query: '"approved payout"' }],
  ["query dates", { query: "after:2026-11-01 before:2026-11-05 status:failure" }],
  ["an id beside other filters", { status: "failure", organization_id: "org_9", job_id: "jid_77" }],
  ["ip", { ip: "198.51.100.66" }],
  ["query ip with a status", { query: "ip:198.51.100.66 status:failure" }],
  ["query metadata", { query: 'metadata.program:"Summer referral"' }],
  ["query metadata list in a range", { query: "metadata.payout_source:paypal,wise", from: "2026-11-01" }],
  ["query negated metadata with a status", { query: "-metadata.program:Winter status:failed" }],
];

/**
 * The filter's own index, which must serve it: in the list when the filter is served in order (one
 * value; set-like filters read a window first, see below), and in the count always. An id (entity,
 * request, job) is served by its own index whatever other filters come with it: it matches a
 * handful of rows where a dictionary column's index would read thousands.
 */
const OWN_INDEX: Record<string, { list?: string; count?: string }> = {
  "no filter (the default view)": { list: "events_time" },
  "time range": { list: "events_time" },
  category: { list: "events_category", count: "events_category" },
  "category list": { count: "events_category" },
  type: { list: "events_type", count: "events_type" },
  "type prefix": { count: "events_type" },
  "type exact and prefix": { count: "events_type" },
  action: { count: "events_type" },
  "action list": { count: "events_type" },
  "query action with a type prefix": { count: "events_type" },
  "query negated action": { list: "events_status", count: "events_status" },
  status: { list: "events_status", count: "events_status" },
  "status list": { count: "events_status" },
  source: { list: "events_source", count: "events_source" },
  actor_id: { count: "events_actor" },
  actor_type: { list: "events_actor_type", count: "events_actor_type" },
  entity_type: { list: "events_entity_type", count: "events_entity_type" },
  entity_id: { list: "events_entity_id", count: "events_entity_id" },
  organization_id: { list: "events_organization", count: "events_organization" },
  "organization list": { count: "events_organization" },
  request_id: { list: "events_request", count: "events_request" },
  job_id: { list: "events_job", count: "events_job" },
  "query actor (id, name or e-mail)": { count: "events_actor" },
  "query actor by the start of names": { count: "events_actor" },
  "query entity type:id": { list: "events_entity_id", count: "events_entity_id" },
  "query org alias and request": { list: "events_request", count: "events_request" },
  "query negation with a positive filter": { count: "events_type" },
  "query dates": { count: "events_status" },
  "an id beside other filters": { list: "events_job", count: "events_job" },
  ip: { list: "events_request_ip", count: "events_request_ip" },
  "query ip with a status": { list: "events_request_ip", count: "events_request_ip" },
  "query negated metadata with a status": { list: "events_status", count: "events_status" },
};

type PlanRow = { detail: string };

const PN = 7;
const dialect = new SQLiteAsyncDialect();

async function plan(query: SQL): Promise<string[]> {
  const { sql, params } = dialect.sqlToQuery(query);
  const { results } = await env.EVENTS_1.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<PlanRow>();
  return results.map((r) => r.detail);
}

function fullScans(details: string[]): string[] {
  return details.filter((d) =>
    /^SCAN (events|event_changes|event_metadata|event_counts|event_facets|terms|actors|shard_projects)\b(?!_fts)/.test(
      d,
    ),
  );
}

/** The line reading events: a search of the project's range (`pn=?` first) of an index, or rows by seq. */
const EVENTS_SEARCH = /^SEARCH events USING (?:(?:COVERING )?INDEX \S+ \(pn=\?|INTEGER PRIMARY KEY \(rowid=\?\))/;

/** Sorting every match; sorting rows of one instant by id (`FOR LAST TERM OF ORDER BY`) is expected. */
const FULL_SORT = /USE TEMP B-TREE FOR ORDER BY/;

describe("query plans", () => {
  it.each(FILTERS)("%s: the list query uses an index", async (name, filters) => {
    const query = compileFilters(filters, "Europe/Berlin");
    for (const cursor of [undefined, encodeCursor(Date.parse("2026-11-03T00:00:00Z"), "evt_x")]) {
      const details = await plan(listQuery(PN, query, { limit: 50, cursor }));
      const text = details.join("\n");
      expect(fullScans(details), text).toEqual([]);
      const search = details.filter((d) => d.startsWith("SEARCH events "));
      expect(search.length, text).toBeGreaterThan(0);
      for (const line of search) expect(line, text).toMatch(EVENTS_SEARCH);
      const own = OWN_INDEX[name]?.list;
      if (own) {
        expect(search[0], text).toMatch(new RegExp(`^SEARCH events USING (COVERING )?INDEX ${own} \\(pn=\\?`));
        expect(text).not.toMatch(FULL_SORT);
      }
    }
  });

  it("names the own index of every filter served in order", () => {
    const inOrder = FILTERS.filter(([, f]) => !readsWindow(compileFilters(f, "UTC"))).map(([name]) => name);
    expect(inOrder.filter((name) => !OWN_INDEX[name]?.list)).toEqual(["query dates"]);
  });

  // Set-like filters first read the newest rows through the time index in order (query.ts,
  // listRows): no sort of the matches, no scan, and changed fields probed by one seek per row.
  const WINDOWED = FILTERS.filter(([, f]) => readsWindow(compileFilters(f, "UTC")));

  it("the filters that read a window are the set-like ones", () => {
    expect(WINDOWED.map(([name]) => name)).toEqual([
      "category list",
      "type prefix",
      "type exact and prefix",
      "action",
      "action list",
      "query action with a type prefix",
      "status list",
      "actor_id",
      "organization list",
      "changed",
      "changed with entity",
      "q",
      "query actor (id, name or e-mail)",
      "query actor by the start of names",
      "query negation with a positive filter",
      "query phrase",
      "query metadata",
      "query metadata list in a range",
    ]);
  });

  it.each(WINDOWED)("%s: the window and its walk read the time index in order", async (_name, filters) => {
    const query = compileFilters(filters, "Europe/Berlin");
    const cursor = encodeCursor(Date.parse("2026-11-03T00:00:00Z"), "evt_x");
    // The window reads times only: from the index alone, and past a cursor without a sort.
    const first = (await plan(windowQuery(PN, query, undefined, WINDOW_ROWS))).join("\n");
    expect(first).toMatch(/^SEARCH events USING COVERING INDEX events_time \(pn=\?/m);
    expect(first).not.toMatch(/TEMP B-TREE/);
    const bound = (await plan(windowQuery(PN, query, cursor, WINDOW_ROWS))).join("\n");
    expect(bound).toMatch(
      /^SEARCH events USING (COVERING )?INDEX events_time \(pn=\? AND (occurred_at>\? AND )?occurred_at<\?/m,
    );
    expect(bound).not.toMatch(/TEMP B-TREE/);
    for (const span of [undefined, [Date.parse("2026-11-01"), Date.parse("2026-11-02")] as [number, number]]) {
      const details = await plan(walkQuery(PN, query, { span }, olderThan(cursor), 51));
      const text = details.join("\n");
      expect(details[0], text).toMatch(/^SEARCH events USING INDEX events_time \(pn=\?/);
      expect(text).not.toMatch(FULL_SORT);
      expect(fullScans(details), text).toEqual([]);
      if (query.conditions.some((c) => c.kind === "changed")) {
        // One seek per row read: event_changes by the event's seq (unique to it), or its whole key.
        expect(text).toMatch(
          /SEARCH event_changes EXISTS USING (COVERING INDEX event_changes_seq \(seq=\?|PRIMARY KEY \(pn=\? AND field=\? AND occurred_at=\? AND seq=\?\))/,
        );
      }
      if (query.conditions.some((c) => c.kind === "metadata")) {
        // One seek per row read: event_metadata by the event's seq, or its whole key.
        expect(text).toMatch(
          /SEARCH event_metadata (EXISTS )?USING (COVERING INDEX event_metadata_seq \(seq=\?|PRIMARY KEY \(pn=\? AND key=\? AND value=\? AND occurred_at=\? AND seq=\?\))/,
        );
      }
    }
  });

  it.each(FILTERS)("%s: the count query uses an index", async (name, filters) => {
    const details = await plan(countQuery(PN, compileFilters(filters, "UTC")));
    const text = details.join("\n");
    expect(fullScans(details), text).toEqual([]);
    for (const line of details.filter((d) => d.startsWith("SEARCH events "))) expect(line, text).toMatch(EVENTS_SEARCH);
    const own = OWN_INDEX[name]?.count;
    if (own) expect(text).toMatch(new RegExp(`^SEARCH events USING (COVERING )?INDEX ${own} \\(pn=\\?`, "m"));
  });

  it("finds changed fields by event_changes' key, metadata by event_metadata's, and full text in its index, for the list and the count", async () => {
    for (const filters of [{ changed: "status" }, { changed: "status,amount" }]) {
      const query = compileFilters(filters, "UTC");
      for (const built of [listQuery(PN, query, { limit: 50 }), countQuery(PN, query)]) {
        expect((await plan(built)).join("\n")).toMatch(/^SEARCH event_changes USING PRIMARY KEY \(pn=\? AND field=\?/m);
      }
    }
    for (const filters of [
      { query: 'metadata.program:"Summer referral"' },
      { query: "metadata.payout_source:paypal,wise", from: "2026-11-01" },
    ]) {
      const query = compileFilters(filters, "UTC");
      for (const built of [listQuery(PN, query, { limit: 50 }), countQuery(PN, query)]) {
        expect((await plan(built)).join("\n")).toMatch(
          /^SEARCH event_metadata USING PRIMARY KEY \(pn=\? AND key=\? AND value=\?( AND occurred_at>\?)?\)/m,
        );
      }
    }
    const query = compileFilters({ q: "approved" }, "UTC");
    for (const built of [listQuery(PN, query, { limit: 50 }), countQuery(PN, query)]) {
      const text = (await plan(built)).join("\n");
      expect(text).toMatch(/^SCAN events_fts VIRTUAL TABLE INDEX \d+:M/m);
      expect(text).toMatch(/SCAN events_fts_terms VIRTUAL TABLE/);
    }
    // Given the words as the window read them (listRows), the statements after it read no vocabulary.
    const words = { positive: '("approved")' };
    for (const built of [listQuery(PN, query, { limit: 50 }, words), walkQuery(PN, query, {}, undefined, 51, words)]) {
      const text = (await plan(built)).join("\n");
      expect(text).toMatch(/^SCAN events_fts VIRTUAL TABLE INDEX \d+:M/m);
      expect(text).not.toMatch(/events_fts_terms/);
    }
  });

  it("`actor:` finds actors by a range of actor_words' key and ids by actors_identity", async () => {
    const text = (await plan(countQuery(PN, compileFilters({ query: "actor:jan" }, "UTC")))).join("\n");
    expect(text).toMatch(/SEARCH actor_words USING PRIMARY KEY \(pn=\? AND word>\? AND word<\?\)/);
    expect(text).toMatch(/SEARCH actors USING COVERING INDEX actors_identity \(actor_id=\?\)/);
  });

  it("the explorer's suggestions read ranges of keys, never a table", async () => {
    const scopes = [
      { role: "owner" as const, organizationId: null },
      { role: "viewer" as const, organizationId: "org_9" },
    ];
    for (const access of scopes) {
      for (const typed of ["", "jan", "u_4", "%"]) {
        for (const query of actorSuggestionQueries(PN, access, typed)) {
          const details = await plan(query);
          const text = details.join("\n");
          expect(fullScans(details), text).toEqual([]);
          expect(text).not.toMatch(/^SCAN actor_words/m);
          if (text.includes("actor_words"))
            expect(text).toMatch(/SEARCH actor_words USING PRIMARY KEY \(pn=\? AND word>\? AND word<\?\)/);
          else if (typed)
            expect(text).toMatch(/SEARCH actors USING COVERING INDEX actors_identity \(actor_id>\? AND actor_id<\?\)/);
          else expect(text).toMatch(/SEARCH event_facets USING PRIMARY KEY \(pn=\? AND organization=\? AND facet=\?\)/);
          expect(text).toMatch(
            /SEARCH event_facets (EXISTS )?USING PRIMARY KEY \(pn=\? AND organization=\? AND facet=\?/,
          );
        }
      }
    }
    const orgs = (await plan(organizationIdQuery(PN, "org"))).join("\n");
    expect(orgs).toMatch(/SEARCH terms USING COVERING INDEX terms_facet_value \(facet=\? AND value>\? AND value<\?\)/);
    expect(orgs).not.toMatch(/^SCAN/m);
  });

  it("organisation names are found by a range of organization_words' key in the control database", async () => {
    const ctx = { db: createDb(env.DB), d1: env.DB, project: { id: "prj_x" } } as Parameters<
      typeof organizationNameQuery
    >[0];
    const built = organizationNameQuery(ctx, { from: "ini", to: "ini\u{10FFFF}" }, 20).toSQL();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${built.sql}`)
      .bind(...built.params)
      .all<PlanRow>();
    const text = results.map((r) => r.detail).join("\n");
    expect(text).toMatch(
      /SEARCH organization_words USING (COVERING INDEX|PRIMARY KEY|INDEX) \S* ?\(project_id=\? AND word>\? AND word<\?\)/,
    );
    expect(text).toMatch(
      /SEARCH organizations USING INDEX sqlite_autoindex_organizations_1 \(project_id=\? AND organization_id=\?\)/,
    );
    expect(text).not.toMatch(/^SCAN/m);
  });

  it("a count without filters reads days by event_counts' key and the partial days by the time index", async () => {
    for (const filters of [{}, { from: "2026-11-01T10:30:00Z", to: "2026-11-07T08:15:00Z" }]) {
      const text = (await plan(countQuery(PN, compileFilters(filters, "UTC")))).join("\n");
      expect(text).toMatch(/SEARCH event_counts USING PRIMARY KEY \(pn=\? AND day>\?/);
      expect(text).toMatch(/SEARCH events USING COVERING INDEX events_time \(pn=\? AND occurred_at/);
      expect(text).toMatch(/SEARCH shard_projects USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    }
  });
});
