import { applyD1Migrations, env } from "cloudflare:test";
import { expect, it } from "vitest";
import { compileFilters } from "../../src/services/events/filters";
import { countEvents, listEvents } from "../../src/services/events/query";
import { backfillShard } from "../../src/services/shards/metadata-backfill";
import { api, createTenant, expectJson, projectContext, shardOf } from "../fixtures";

// Shard migration 0002 (event_metadata) on a shard that already holds events: they stay readable,
// new events are indexed at once, and the older ones once the cron's backfill has reached them.
it("indexes events stored before migration 0002 after the backfill, and new ones at once", async () => {
  const tenant = await createTenant({ region: "eu" });
  const { d1, binding } = shardOf(tenant.project);
  expect(binding).toBe("EVENTS_EU_1");
  // The shard as it was before 0002.
  await d1.batch(
    [
      "DROP TRIGGER events_metadata_insert",
      "DROP TRIGGER events_metadata_delete",
      "DROP TRIGGER event_metadata_no_update",
      "DROP TABLE event_metadata",
      "DROP TABLE metadata_backfill",
      "DELETE FROM d1_migrations WHERE name LIKE '0002_%'",
    ].map((q) => d1.prepare(q)),
  );
  const payout = (id: string, source: string, at = "2026-11-01T10:00:00Z") => ({
    id,
    type: "payout.created",
    category: "payment",
    metadata: { payout_source: source },
    occurred_at: at,
  });
  await expectJson(
    await api("POST", "/v1/events/batch", {
      key: tenant.keys.ingest,
      body: { events: [payout("old1", "paypal"), payout("old2", "wise")] },
    }),
    201,
  );

  await applyD1Migrations(d1, env.TEST_EVENT_MIGRATIONS);
  const ctx = projectContext(tenant.project);
  const paypal = compileFilters({ query: "metadata.payout_source:paypal" }, "UTC");
  expect((await listEvents(ctx, compileFilters({}, "UTC"), { limit: 10 })).data.map((e) => e.id)).toContain("old1");
  expect(await countEvents(ctx, paypal)).toBe(0);

  await expectJson(
    await api("POST", "/v1/events", {
      key: tenant.keys.ingest,
      body: payout("new1", "paypal", "2026-11-02T10:00:00Z"),
    }),
    201,
  );
  expect((await listEvents(ctx, paypal, { limit: 10 })).data.map((e) => e.id)).toEqual(["new1"]);

  await backfillShard(d1);
  expect((await listEvents(ctx, paypal, { limit: 10 })).data.map((e) => e.id)).toEqual(["new1", "old1"]);
  expect(await countEvents(ctx, compileFilters({ query: "metadata.payout_source:wise" }, "UTC"))).toBe(1);
  expect(await d1.prepare("SELECT count(*) AS n FROM metadata_backfill").first()).toEqual({ n: 0 });
});
