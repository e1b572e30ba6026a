import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { digests, projects, tasks, webhookSendouts } from "../../src/db/schema";
import worker from "../../src/index";
import { api, createTenant, expectJson } from "../fixtures";

// The cron entry, as the runtime calls the worker's scheduled handler: each cron of wrangler.toml
// runs its job with one context for the run, the system acting.

const db = createDb(env.DB);

async function fire(cron: string, scheduledTime: number) {
  const execution = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), env, execution);
  await waitOnExecutionContext(execution);
}

describe("the cron entry", () => {
  it("every 2 minutes, sends stalled sendouts again and deletes uploads of ended imports", async () => {
    const tenant = await createTenant();
    const now = Date.now();
    await db.insert(webhookSendouts).values({
      id: "whs_stalled",
      projectId: tenant.project.id,
      endpointId: "whe_x",
      eventId: "evt_x",
      eventType: "a.b",
      status: "pending",
      createdAt: now - 10 * 60_000,
      updatedAt: now - 10 * 60_000,
    });
    const ended = await expectJson<{ id: string }>(
      await api("POST", "/v1/imports", {
        key: tenant.keys.ingest,
        rawBody: "{}",
        headers: { "Content-Type": "application/x-ndjson" },
      }),
      202,
    );
    const [task] = await db.select().from(tasks).where(eq(tasks.id, ended.id));
    const upload = String(task?.params.fileKey);
    await db.update(tasks).set({ status: "failed" }).where(eq(tasks.id, ended.id));
    expect(await env.FILES.head(upload)).not.toBeNull();

    await fire("*/2 * * * *", now);
    // Touched when its message went out again, so the next sweep leaves it to that message.
    const [sendout] = await db.select().from(webhookSendouts).where(eq(webhookSendouts.id, "whs_stalled"));
    expect(sendout?.updatedAt).toBe(now);
    expect(await env.FILES.head(upload)).toBeNull();
  });

  it("daily, starts one retention run per project, as the system", async () => {
    const first = await createTenant();
    const second = await createTenant();
    const now = Date.now();
    await fire("17 3 * * *", now);
    for (const tenant of [first, second]) {
      const runs = await db
        .select()
        .from(tasks)
        .where(and(eq(tasks.projectId, tenant.project.id), eq(tasks.type, "retention")));
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: "enqueued", createdBy: null });
      expect(runs[0]?.params.cutoff).toBe(now - 365 * 24 * 3600_000);
    }
    // A run still going is not started again.
    await fire("17 3 * * *", now);
    expect(
      await db
        .select()
        .from(tasks)
        .where(and(eq(tasks.projectId, first.project.id), eq(tasks.type, "retention"))),
    ).toHaveLength(1);
  });

  it("hourly, signs a digest of each closed hour", async () => {
    const tenant = await createTenant();
    const created = Date.now() - 3 * 3600_000;
    await db.update(projects).set({ createdAt: created }).where(eq(projects.id, tenant.project.id));
    await fire("5 * * * *", Date.now());
    const made = await db.select().from(digests).where(eq(digests.projectId, tenant.project.id));
    expect(made.length).toBeGreaterThanOrEqual(2);
    expect(made.every((d) => d.signature.length > 0)).toBe(true);
  });

  it("does nothing for a cron it does not know", async () => {
    const tenant = await createTenant();
    await fire("0 0 1 1 *", Date.now());
    expect(await db.select().from(tasks).where(eq(tasks.projectId, tenant.project.id))).toEqual([]);
  });
});
