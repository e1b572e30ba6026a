import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteEvents } from "../../../src/db/shard/write";
import { compileFilters, type EventQuery, scopeForAccess } from "../../../src/services/events/filters";
import { countEvents, countQuery } from "../../../src/services/events/query";
import {
  api,
  createTenant,
  expectJson,
  projectContext,
  shardOf,
  type Tenant,
  tenantBesideAnother,
} from "../../fixtures";

// Counts without filters add up event_counts' days and count only the partial days at the
// range's edges; every count must equal counting the rows themselves.

const DAY = 86_400_000;
const BASE = Date.parse("2026-10-01T00:00:00Z");

/** Events on and around day boundaries, on the first day after 1970 and before it. */
function eventsFor(prefix: string) {
  const times = [
    Date.parse("1969-12-31T23:30:00Z"),
    0,
    DAY - 1,
    DAY,
    ...Array.from({ length: 150 }, (_, i) => BASE + i * 7 * 3_600_000 + (i % 3) * 999),
    BASE + 10 * DAY,
    BASE + 10 * DAY - 1,
    BASE + 10 * DAY,
  ];
  return times.map((ms, i) => ({
    id: `${prefix}_${i}`,
    type: "user.login",
    category: i % 2 ? "auth" : "activity",
    organization_id: `org_${i % 3}`,
    occurred_at: new Date(ms).toISOString(),
  }));
}

const dialect = new SQLiteAsyncDialect();
const sqlText = (query: SQL) => dialect.sqlToQuery(query).sql;

describe("counts", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await tenantBesideAnother(eventsFor);
  });

  async function rowCount(of: Tenant, from?: number, to?: number): Promise<number> {
    const { d1, pn } = shardOf(of.project);
    const row = await d1
      .prepare(
        "SELECT count(*) AS n FROM events WHERE pn = ?1 AND (?2 IS NULL OR occurred_at >= ?2) AND (?3 IS NULL OR occurred_at < ?3)",
      )
      .bind(pn, from ?? null, to ?? null)
      .first<{ n: number }>();
    return row?.n ?? 0;
  }

  const range = (from?: number, to?: number): EventQuery => ({ from, to, conditions: [], text: [] });

  const EDGES = [
    undefined,
    Date.parse("1969-12-31T00:00:00Z"),
    0,
    1,
    DAY - 1,
    DAY,
    DAY + 1,
    BASE - 1,
    BASE,
    BASE + 1,
    BASE + DAY / 2,
    BASE + 10 * DAY - 1,
    BASE + 10 * DAY,
    BASE + 10 * DAY + 1,
    BASE + 30 * DAY,
    BASE + 100 * DAY,
  ];

  it("equals counting the rows, for every range between day edges, inside a day, and open-ended", async () => {
    let byDays = 0;
    for (const from of EDGES) {
      for (const to of EDGES) {
        const query = range(from, to);
        if (sqlText(countQuery(shardOf(tenant.project).pn, query)).includes("event_counts")) byDays++;
        expect(await countEvents(projectContext(tenant.project), query), `from ${from} to ${to}`).toBe(
          await rowCount(tenant, from, to),
        );
      }
    }
    // Most of these ranges hold whole days, which are read from event_counts.
    expect(byDays).toBeGreaterThan(EDGES.length * 4);
    expect(await countEvents(projectContext(tenant.project), range())).toBe(eventsFor("evt").length);
  }, 30_000); // a few hundred counts: slow on a loaded machine

  it("counts filters and a partner's scope from the rows", async () => {
    const category = compileFilters({ category: "auth" }, "UTC");
    expect(sqlText(countQuery(shardOf(tenant.project).pn, category))).not.toContain("event_counts");
    expect(await countEvents(projectContext(tenant.project), category)).toBe(
      eventsFor("evt").filter((e) => e.category === "auth").length,
    );
    const scoped = scopeForAccess(compileFilters({}, "UTC"), { role: "viewer", organizationId: "org_1" });
    expect(await countEvents(projectContext(tenant.project), scoped)).toBe(
      eventsFor("evt").filter((e) => e.organization_id === "org_1").length,
    );
  });

  it("stays exact when a batch is sent again and when retention deletes events", async () => {
    const t = await createTenant();
    const posted = eventsFor("rep");
    await expectJson(await api("POST", "/v1/events/batch", { key: t.keys.ingest, body: { events: posted } }), 201);
    // Again, with new events among the stored ones: only the new ones count.
    const fresh = [
      { id: "new_1", type: "user.login", occurred_at: new Date(BASE + 3 * DAY).toISOString() },
      { id: "new_2", type: "user.login", occurred_at: new Date(BASE + 40 * DAY).toISOString() },
    ];
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: t.keys.ingest,
        body: { events: [...posted.slice(0, 50), ...fresh] },
      }),
      201,
    );
    expect(
      await expectJson<{ duplicate: boolean }>(
        await api("POST", "/v1/events", { key: t.keys.ingest, body: posted[60] }),
        201,
      ),
    ).toMatchObject({ duplicate: true });
    expect(await countEvents(projectContext(t.project), range())).toBe(posted.length + fresh.length);
    expect(await countEvents(projectContext(t.project), range(BASE + DAY, BASE + 5 * DAY))).toBe(
      await rowCount(t, BASE + DAY, BASE + 5 * DAY),
    );
    const cutoff = BASE + 5 * DAY + 123;
    // As retention deletes them: by seq, under the project's cutoff (src/db/shard/write.ts).
    const shard = shardOf(t.project);
    const { results: expired } = await shard.d1
      .prepare("SELECT seq FROM events WHERE pn = ? AND occurred_at < ?")
      .bind(shard.pn, cutoff)
      .all<{ seq: number }>();
    expect(expired.length).toBeGreaterThan(0);
    await deleteEvents(
      shard,
      expired.map((r) => r.seq),
      cutoff,
    );
    for (const from of EDGES) {
      for (const to of [undefined, BASE + 6 * DAY, BASE + 100 * DAY]) {
        expect(await countEvents(projectContext(t.project), range(from, to)), `from ${from} to ${to}`).toBe(
          await rowCount(t, from, to),
        );
      }
    }
    expect(await countEvents(projectContext(t.project), range())).toBeLessThan(posted.length);
    expect(await countEvents(projectContext(t.project), range())).toBeGreaterThan(0);
  });
});
