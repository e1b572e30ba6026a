import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordEvents } from "../../../src/services/ingest/record";
import { createTenant, projectContext, shardOf } from "../../fixtures";

/** D1 that counts what a call sends: each batch and its statements. */
function countingDb(d1: D1Database) {
  const batches: number[] = [];
  const db = new Proxy(d1, {
    get(target, property) {
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          batches.push(statements.length);
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, batches };
}

describe("recordEvents", () => {
  it("writes a 1,000-event batch as a handful of bulk statements in one atomic batch", async () => {
    const { project } = await createTenant();
    const inputs = Array.from({ length: 1000 }, (_, i) => ({
      id: `bulk_${i}`,
      category: "api_request",
      type: "POST /v1/redemptions",
      status: "success",
      summary: `Redemption ${i}`,
      request: {
        method: "POST",
        path: "/v1/redemptions",
        status_code: 201,
        body: { code: "SPRING", note: "x".repeat(1500) },
      },
    }));
    const shard = shardOf(project);
    const control = countingDb(env.DB);
    const events = countingDb(shard.d1);
    const results = await recordEvents(
      projectContext(project, { ...env, DB: control.db, [shard.binding]: events.db }),
      inputs,
      { batch: true },
    );
    expect(results).toHaveLength(1000);
    // One atomic batch on the project's shard writes everything (the reads, stored ids there and
    // webhook endpoints in the control database, are single statements side by side); no webhook
    // endpoint, so nothing is relayed to the control database.
    expect(events.batches).toHaveLength(1);
    expect(control.batches).toEqual([]);
    // About 2 MB of rows: a few json_each inserts beside the guard, dictionary, picker and day
    // statements, not 1,000 statements.
    expect(events.batches[0]).toBeGreaterThan(4);
    expect(events.batches[0]).toBeLessThanOrEqual(10);
    const row = await shard.d1
      .prepare("SELECT count(*) AS n FROM events WHERE pn = ?")
      .bind(shard.pn)
      .first<{ n: number }>();
    expect(row?.n).toBe(1000);
  });

  it("answers a concurrent duplicate as a duplicate, not an error", async () => {
    const { project } = await createTenant();
    const input = { id: "race", category: "activity", type: "referral.created", occurred_at: "2026-11-01T00:00:00Z" };
    const results = await Promise.all(
      [1, 2, 3].map(() => recordEvents(projectContext(project), [input], { batch: false })),
    );
    const flags = results.map(([r]) => r?.duplicate);
    expect(flags.filter((d) => d === false)).toHaveLength(1);
    expect(new Set(results.map(([r]) => r?.hash)).size).toBe(1);
  });
});
