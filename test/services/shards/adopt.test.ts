import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { placements, projects } from "../../../src/db/schema";
import { shardDatabase } from "../../../src/db/shard/bindings";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { createApiKey } from "../../../src/services/keys/create";
import { adoptLegacyProjects } from "../../../src/services/shards/adopt";
import { projectContext } from "../../../src/services/shards/placement";
import { runTaskStep } from "../../../src/services/tasks/engine";
import { api, expectJson, systemContext } from "../../fixtures";

// A deployment from before the event shards: a project without a placement whose events are in the
// control database's old table. The cron gives it a home and copies its events there.

const BASE = Date.UTC(2026, 10, 1);

async function legacyProject(id: string, events: number): Promise<void> {
  await env.DB.prepare(
    "INSERT INTO projects (id, name, timezone, retention_days, redaction_keys, region, created_at) VALUES (?, 'Old', 'UTC', 365, '[]', 'default', ?)",
  )
    .bind(id, BASE)
    .run();
  const rows = Array.from({ length: events }, (_, i) => {
    const data = JSON.stringify({
      action: "updated",
      category: "activity",
      changes: { status: ["a", "b"] },
      id: `old_${i}`,
      occurred_at: new Date(BASE + i * 1000).toISOString(),
      organization_id: `org_${i % 3}`,
      type: "commission.updated",
    });
    return [
      `old_${i}`,
      BASE + i * 1000,
      BASE + i * 1000 + 5,
      data,
      (i % 256).toString(16).padStart(2, "0").repeat(32),
      `org_${i % 3}`,
    ];
  });
  for (let i = 0; i < rows.length; i += 400) {
    await env.DB.prepare(
      `INSERT INTO events (project_id, id, occurred_at, received_at, data, hash, category, type, action, organization_id)
       SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, 'activity', 'commission.updated', 'updated', value ->> 5
       FROM json_each(?2)`,
    )
      .bind(id, JSON.stringify(rows.slice(i, i + 400)))
      .run();
  }
}

describe("adopting the events of a deployment from before the shards", () => {
  it("places the project, copies every old event once with its hash and times, and serves them", async () => {
    await legacyProject("prj_legacy", 1_234);
    const ctx = systemContext();
    expect(await adoptLegacyProjects(ctx)).toBe(1);
    const [placement] = await ctx.db.select().from(placements).where(eq(placements.projectId, "prj_legacy"));
    expect(placement?.shard).toMatch(/^EVENTS_\d$/);
    expect(await adoptLegacyProjects(ctx)).toBe(0);

    const tasks = await ctx.db.query.tasks.findMany({ where: (t, { eq: is }) => is(t.projectId, "prj_legacy") });
    expect(tasks.map((t) => t.type)).toEqual(["adopt"]);
    const taskId = tasks[0]?.id as string;
    let outcome = "";
    for (let i = 0; i < 10 && outcome !== "done"; i++)
      outcome = await runTaskStep(ctx, taskId, TASK_KINDS, { enqueueNext: false });
    expect(outcome).toBe("done");

    const shard = shardDatabase(env, placement?.shard as string) as D1Database;
    const stored = await shard
      .prepare("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM events WHERE pn = ?")
      .bind(placement?.pn)
      .first();
    expect(stored).toEqual({ n: 1_234, ids: 1_234 });

    const [project] = await ctx.db.select().from(projects).where(eq(projects.id, "prj_legacy"));
    if (!project) throw new Error("no project");
    const { secret } = await createApiKey(await projectContext(ctx, project), { name: "read", scope: "read" });
    const one = await expectJson<{ hash: string; received_at: string }>(
      await api("GET", "/v1/events/old_7", { key: secret }),
      200,
    );
    expect(one).toMatchObject({ hash: "07".repeat(32), received_at: new Date(BASE + 7005).toISOString() });
    const count = await expectJson<{ count: number }>(
      await api("GET", "/v1/events/count?organization_id=org_1&changed=status", { key: secret }),
      200,
    );
    expect(count.count).toBe(411);
  });
});
