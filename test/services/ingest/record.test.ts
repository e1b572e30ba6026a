import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordEvents } from "../../../src/services/ingest/record";
import { createTenant, projectContext } from "../../fixtures";

/** D1 that counts what a call sends: each batch and its statements. */
function countingDb() {
  const batches: number[] = [];
  const db = new Proxy(env.DB, {
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
    const { db, batches } = countingDb();
    const results = await recordEvents(projectContext(project, { ...env, DB: db }), inputs, { batch: true });
    expect(results).toHaveLength(1000);
    // One batch reads (stored ids and webhook endpoints), one atomic batch writes.
    expect(batches).toHaveLength(2);
    expect(batches[0]).toBe(2);
    // About 2 MB of rows: a few json_each inserts, not 1,000 statements.
    expect(batches[1]).toBeGreaterThan(1);
    expect(batches[1]).toBeLessThanOrEqual(6);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE project_id = ?")
      .bind(project.id)
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
