import { describe, expect, it } from "vitest";
import { api, createTenant, expectJson, shardOf, type Tenant } from "../fixtures";

const OLD_AT = Date.parse("2025-01-01T00:00:00Z");
const DAY = 86_400_000;

async function seed() {
  const tenant = await createTenant();
  await expectJson(
    await api("POST", "/v1/events/batch", {
      key: tenant.keys.ingest,
      body: {
        events: [
          {
            id: "old",
            type: "commission.updated",
            occurred_at: new Date(OLD_AT).toISOString(),
            summary: "ancient",
            changes: { status: ["a", "b"] },
          },
          { id: "new", type: "commission.updated", occurred_at: "2026-11-01T00:00:00Z", summary: "recent" },
        ],
      },
    }),
    201,
  );
  return tenant;
}

/** A number the query returns (`n`) on the tenant's shard, with the project's number as ?1. */
async function count(tenant: Tenant, sql: string, ...params: unknown[]): Promise<number> {
  const { d1, pn } = shardOf(tenant.project);
  return (
    (
      await d1
        .prepare(sql)
        .bind(pn, ...params)
        .first<{ n: number }>()
    )?.n ?? 0
  );
}

describe("append-only events on a shard", () => {
  it("refuses UPDATE of an event and of its changed fields", async () => {
    const tenant = await seed();
    const { d1, pn } = shardOf(tenant.project);
    await expect(d1.prepare("UPDATE events SET received_at = 0 WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(d1.prepare("UPDATE events SET data = '{}' WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(d1.prepare("UPDATE event_changes SET field = 0 WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /append-only/,
    );
    expect(await count(tenant, "SELECT count(*) AS n FROM events WHERE pn = ?1 AND received_at > 0")).toBe(2);
    expect(await count(tenant, "SELECT count(*) AS n FROM event_changes WHERE pn = ?1 AND field > 0")).toBe(1);
  });

  it("refuses DELETE without a cutoff of the project, however old the event", async () => {
    const tenant = await seed();
    const { d1, pn } = shardOf(tenant.project);
    await expect(d1.prepare("DELETE FROM events WHERE pn = ?").bind(pn).run()).rejects.toThrow(
      /only be deleted by retention or a move/,
    );
    // Another project's cutoff on the same shard allows nothing here.
    await d1
      .prepare("INSERT INTO delete_cutoffs (pn, cutoff) VALUES (?, ?)")
      .bind(pn + 1000, Date.now())
      .run();
    await expect(d1.prepare("DELETE FROM events WHERE pn = ? AND id = 'old'").bind(pn).run()).rejects.toThrow(
      /only be deleted by retention or a move/,
    );
    expect(await count(tenant, "SELECT count(*) AS n FROM events WHERE pn = ?1")).toBe(2);
  });

  it("allows deleting events older than the project's cutoff, and their full text, changes and counts go with them", async () => {
    const tenant = await seed();
    const { d1, pn } = shardOf(tenant.project);
    const cutoff = Date.parse("2026-01-01T00:00:00Z");
    const seqOf = async (id: string) =>
      (await d1.prepare("SELECT seq FROM events WHERE pn = ? AND id = ?").bind(pn, id).first<{ seq: number }>())?.seq;
    const oldSeq = await seqOf("old");
    const newSeq = await seqOf("new");
    const ftsRows = async (word: string) =>
      (
        await d1
          .prepare("SELECT rowid AS seq FROM events_fts WHERE events_fts MATCH ?")
          .bind(word)
          .all<{ seq: number }>()
      ).results.map((r) => r.seq);
    const oldDay = Math.floor(OLD_AT / DAY);
    const dayCount = () => count(tenant, "SELECT n FROM event_counts WHERE pn = ?1 AND day = ?2", oldDay);
    expect(await ftsRows("ancient")).toEqual([oldSeq]);
    expect(await count(tenant, "SELECT count(*) AS n FROM event_changes WHERE pn = ?1")).toBe(1);
    expect(await dayCount()).toBe(1);

    await d1.prepare("INSERT INTO delete_cutoffs (pn, cutoff) VALUES (?, ?)").bind(pn, cutoff).run();
    // The newer event stays protected even with a cutoff in place.
    await expect(d1.prepare("DELETE FROM events WHERE pn = ? AND id = 'new'").bind(pn).run()).rejects.toThrow(
      /only be deleted by retention or a move/,
    );
    await d1.prepare("DELETE FROM events WHERE pn = ? AND occurred_at < ?").bind(pn, cutoff).run();
    expect(await count(tenant, "SELECT count(*) AS n FROM events WHERE pn = ?1")).toBe(1);
    expect(await count(tenant, "SELECT count(*) AS n FROM event_changes WHERE pn = ?1")).toBe(0);
    expect(await ftsRows("ancient")).toEqual([]);
    expect(await ftsRows("recent")).toEqual([newSeq]);
    expect(await dayCount()).toBe(0);
    expect(await count(tenant, "SELECT sum(n) AS n FROM event_counts WHERE pn = ?1")).toBe(1);
  });
});
