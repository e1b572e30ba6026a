import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createShardDb } from "../../../src/db/shard/client";
import { compileFilters } from "../../../src/services/events/filters";
import { encodeCursor, windowQuery } from "../../../src/services/events/query";

// A set-like list first reads the window, the newest rows in range (listRows), for their number and
// time span only, in time order alone (its plan: query-plan.test.ts). The count and span must be
// the same whatever order rows of one instant take.
describe("the window of a set-like list", () => {
  const db = createShardDb(env.EVENTS_1);
  const query = compileFilters({ type: "commission.*" }, "UTC");

  it("counts and spans the newest rows, ties at its oldest instant included", async () => {
    const d1 = env.EVENTS_1;
    const { pn } = (await d1
      .prepare("INSERT INTO shard_projects (project_id) VALUES ('prj_window') RETURNING pn")
      .first<{ pn: number }>()) as { pn: number };
    // Five rows: two at t=3000 (one newer by id than the other), then 2000, 1000 and 1000.
    const rows = [
      ["evt_a", 1000],
      ["evt_b", 1000],
      ["evt_c", 2000],
      ["evt_d", 3000],
      ["evt_e", 3000],
    ];
    await d1.batch([
      d1.prepare("INSERT INTO terms (facet, value) VALUES (1, 'activity'), (2, 'commission.updated')"),
      ...rows.map(([id, at]) =>
        d1
          .prepare(
            "INSERT INTO events (pn, occurred_at, received_at, category, type, hash, data) VALUES (?1, ?2, ?2, (SELECT id FROM terms WHERE facet = 1), (SELECT id FROM terms WHERE facet = 2), randomblob(32), json_object('id', ?3))",
          )
          .bind(pn, at, id),
      ),
    ]);
    const window = (size: number, cursor?: string) =>
      db.all<{ n: number; oldest: number; newest: number }>(windowQuery(pn, query, cursor, size));
    const words = { positive: null, negative: null };
    expect(await window(3)).toEqual([{ n: 3, oldest: 2000, newest: 3000, ...words }]);
    expect(await window(4)).toEqual([{ n: 4, oldest: 1000, newest: 3000, ...words }]);
    expect(await window(10)).toEqual([{ n: 5, oldest: 1000, newest: 3000, ...words }]);
    // After evt_e: evt_d is still in range (same instant, smaller id).
    expect(await window(2, encodeCursor(3000, "evt_e"))).toEqual([{ n: 2, oldest: 2000, newest: 3000, ...words }]);
    // A search's words come back read as FTS5 text, for the statements after the window: a word
    // as the index terms it is a prefix of, one covering none as a prefix.
    const search = compileFilters({ type: "commission.*", query: "EVT -zzz" }, "UTC");
    expect(await db.all(windowQuery(pn, search, undefined, 10))).toEqual([
      { n: 5, oldest: 1000, newest: 3000, positive: '("evt")', negative: '"zzz"*' },
    ]);
  });
});
