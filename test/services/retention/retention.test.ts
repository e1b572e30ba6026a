import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { startRetention } from "../../../src/services/retention/run";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  addTerms,
  createTenant,
  recountDays,
  shardOf,
  storedEvents,
  systemContext,
  type Tenant,
  termSql,
} from "../../fixtures";

const DAY = 24 * 3600_000;
const NOW = Date.now();

/** `count` events, one a minute going back from `newest`, with a changed field each. */
async function seed(tenant: Tenant, prefix: string, count: number, newest: number) {
  await addTerms(tenant.project, [
    ["category", "activity"],
    ["type", "commission.updated"],
    ["changed", "status"],
  ]);
  const { d1, pn } = shardOf(tenant.project);
  await d1
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
     INSERT INTO events (pn, occurred_at, received_at, category, type, data, hash)
     SELECT ?1, ?3 - i * 60000, ?3 - i * 60000, ${termSql("category", "activity")}, ${termSql("type", "commission.updated")},
       json_object('id', ?4 || i, 'type', 'commission.updated', 'category', 'activity', 'action', 'updated', 'summary', 'word' || ?4,
                   'occurred_at', strftime('%Y-%m-%dT%H:%M:%fZ', (?3 - i * 60000) / 1000.0, 'unixepoch'), 'changes', json_object('status', json_array('a', 'b'))),
       unhex(printf('%064d', i))
     FROM n`,
    )
    .bind(pn, count, newest, prefix)
    .run();
  await recountDays(tenant.project);
}

const count = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .first<{ n: number }>()
  )?.n ?? 0;

/** The same on the tenant's shard, with its project number as ?1. */
const shardCount = async (tenant: Tenant, sql: string, ...params: unknown[]) => {
  const { d1, pn } = shardOf(tenant.project);
  return (
    (
      await d1
        .prepare(sql)
        .bind(pn, ...params)
        .first<{ n: number }>()
    )?.n ?? 0
  );
};

async function retentionTask(projectId: string): Promise<string> {
  const row = await env.DB.prepare(
    "SELECT id FROM tasks WHERE project_id = ? AND type = 'retention' ORDER BY created_at DESC LIMIT 1",
  )
    .bind(projectId)
    .first<{ id: string }>();
  if (!row) throw new Error("no retention task");
  return row.id;
}

describe("retention", () => {
  it("deletes exactly each project's expired events in chunks, with their index rows, and resumes after an interruption", {
    timeout: 120_000,
  }, async () => {
    const short = await createTenant();
    const long = await createTenant();
    await env.DB.prepare("UPDATE projects SET retention_days = 30, archive_enabled = 1 WHERE id = ?")
      .bind(short.project.id)
      .run();
    await env.DB.prepare("UPDATE projects SET retention_days = 3650 WHERE id = ?").bind(long.project.id).run();
    await seed(short, "old", 7_000, NOW - 40 * DAY); // all expired
    await seed(short, "new", 500, NOW - DAY); // kept
    await seed(long, "old", 300, NOW - 40 * DAY); // another project: kept
    const oldSeq = await shardCount(short, "SELECT min(seq) AS n FROM events WHERE pn = ?1 AND id LIKE 'old%'");

    // Another project's cron run must not touch ours, and vice versa.
    await startRetention(systemContext(), NOW);
    const taskId = await retentionTask(short.project.id);
    expect(await runTaskStep(systemContext(), taskId, TASK_KINDS, { enqueueNext: false })).toBe("continued");
    // Interrupted after one step (5 chunks of 1,000): part is gone, the rest waits for the next run.
    expect(await shardCount(short, "SELECT count(*) AS n FROM events WHERE pn = ?1 AND id LIKE 'old%'")).toBe(2_000);
    while ((await runTaskStep(systemContext(), taskId, TASK_KINDS, { enqueueNext: false })) === "continued");

    expect(await shardCount(short, "SELECT count(*) AS n FROM events WHERE pn = ?1 AND id LIKE 'old%'")).toBe(0);
    expect(await shardCount(short, "SELECT count(*) AS n FROM events WHERE pn = ?1 AND id LIKE 'new%'")).toBe(500);
    expect(await shardCount(long, "SELECT count(*) AS n FROM events WHERE pn = ?1")).toBe(300);
    expect(
      await shardCount(short, "SELECT count(*) AS n FROM event_changes WHERE pn = ?1 AND seq < ?2", oldSeq + 7_000),
    ).toBe(0);
    // Their full text went with them (the rowids are the shard's seqs; the other project may share the word).
    const { d1 } = shardOf(short.project);
    const words = await d1
      .prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH 'wordold' AND rowid BETWEEN ? AND ?")
      .bind(oldSeq, oldSeq + 6_999)
      .first<number>("n");
    expect(words).toBe(0);
    expect(await shardCount(long, "SELECT count(*) AS n FROM event_changes WHERE pn = ?1")).toBe(300);
    expect(await shardCount(short, "SELECT count(*) AS n FROM delete_cutoffs WHERE pn = ?1")).toBe(0);
    // The day counts lost the deleted events with them: unfiltered counts stay exact.
    for (const tenant of [short, long]) {
      expect(await shardCount(tenant, "SELECT sum(n) AS n FROM event_counts WHERE pn = ?1")).toBe(
        await shardCount(tenant, "SELECT count(*) AS n FROM events WHERE pn = ?1"),
      );
    }

    // Archived before deletion: gzip JSON Lines in R2 that hold exactly the deleted events.
    const { results } = await env.DB.prepare("SELECT file_key, event_count FROM archives WHERE project_id = ?")
      .bind(short.project.id)
      .all<{ file_key: string; event_count: number }>();
    expect(results.reduce((sum, r) => sum + r.event_count, 0)).toBe(7_000);
    const first = await env.FILES.get(results[0]?.file_key ?? "");
    const lines = (await new Response(first?.body?.pipeThrough(new DecompressionStream("gzip"))).text())
      .trim()
      .split("\n");
    expect(lines).toHaveLength(results[0]?.event_count ?? 0);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ type: "commission.updated", hash: expect.any(String) });

    const [run] = (await storedEvents(short.project.id)).filter((e) => e.type === "retention.completed");
    expect(run).toMatchObject({ source: "system", metadata: { deleted_events: 7_000, archived_events: 7_000 } });
    const task = await env.DB.prepare("SELECT status FROM tasks WHERE id = ?").bind(taskId).first();
    expect(task).toEqual({ status: "done" });
  });

  it("starts one run per project a day, not a second while one runs", async () => {
    const tenant = await createTenant();
    await startRetention(systemContext(), NOW);
    await startRetention(systemContext(), NOW);
    expect(
      await count("SELECT count(*) AS n FROM tasks WHERE project_id = ? AND type = 'retention'", tenant.project.id),
    ).toBe(1);
  });
});
