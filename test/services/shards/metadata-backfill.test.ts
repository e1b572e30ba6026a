import { describe, expect, it } from "vitest";
import { compileFilters } from "../../../src/services/events/filters";
import { countEvents } from "../../../src/services/events/query";
import { backfillShard } from "../../../src/services/shards/metadata-backfill";
import { api, createTenant, expectJson, projectContext, shardOf } from "../../fixtures";

// README "Filters": events stored before shard migration 0002 get their metadata rows from the
// cron, in chunks, newest first; until then `metadata.<key>:` does not find them.

describe("metadata backfill", () => {
  it("fills in the rows of events stored before the metadata index, in chunks, then stops", async () => {
    const tenant = await createTenant();
    const events = Array.from({ length: 12_000 }, (_, i) => ({
      id: `e${i}`,
      type: "payout.created",
      category: "payment",
      occurred_at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
      metadata: { payout_source: i % 3 ? "paypal" : "wise", "bad key": "x", nested: { a: 1 }, n: i },
    }));
    for (let i = 0; i < events.length; i += 1000) {
      await expectJson(
        await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: events.slice(i, i + 1000) } }),
        201,
      );
    }
    const { d1, pn } = shardOf(tenant.project);
    const rows = async () =>
      (await d1.prepare("SELECT count(*) AS n FROM event_metadata WHERE pn = ?").bind(pn).first<{ n: number }>())?.n;
    const wise = () =>
      countEvents(projectContext(tenant.project), compileFilters({ query: "metadata.payout_source:wise" }, "UTC"));
    expect(await rows()).toBe(24_000);
    expect(await wise()).toBe(4_000);

    // As a shard migrated with these events already stored: no rows yet, and the mark above them.
    await d1.batch([
      d1.prepare("DELETE FROM event_metadata WHERE pn = ?").bind(pn),
      d1.prepare("INSERT OR REPLACE INTO metadata_backfill (id, below) SELECT 1, max(seq) + 1 FROM events"),
    ]);
    expect(await wise()).toBe(0);

    // One chunk: the newest 5,000 events.
    expect(await backfillShard(d1, 1)).toBe(5_000);
    expect(await rows()).toBe(10_000);
    const newest = await d1
      .prepare("SELECT min(occurred_at) AS t FROM event_metadata WHERE pn = ?")
      .bind(pn)
      .first<{ t: number }>();
    expect(newest?.t).toBe(Date.UTC(2026, 10, 1) + 7_000 * 1000);

    await backfillShard(d1);
    expect(await rows()).toBe(24_000);
    expect(await wise()).toBe(4_000);
    expect(await d1.prepare("SELECT count(*) AS n FROM metadata_backfill").first<{ n: number }>()).toEqual({ n: 0 });
    expect(await backfillShard(d1)).toBe(0);
  }, 120_000);
});
