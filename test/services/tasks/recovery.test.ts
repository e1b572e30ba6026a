import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CRON_JOBS } from "../../../src/cron";
import { createDb } from "../../../src/db/client";
import { notifications, webhookSendouts } from "../../../src/db/schema";
import { TASK_KINDS } from "../../../src/queues/tasks";
import type { ServiceContext } from "../../../src/services/context";
import {
  createTask,
  failTask,
  runTaskStep,
  STALE_AFTER_MS,
  staleTasks,
  sweepStaleTasks,
} from "../../../src/services/tasks/engine";
import { PENDING_STALE_MS, RETRY_OVERDUE_MS, sweepSendouts } from "../../../src/services/webhooks/sweep";
import { api, createTenant, expectJson, projectContext, systemContext } from "../../fixtures";

// Background work after a crash. The every-2-minutes cron re-queues work whose queue message was lost
// (a crash between a commit and its send; locally, every message in flight when wrangler dev dies);
// STALLED_AFTER_SECONDS shortens its thresholds so a test need not wait minutes. A message delivered
// again after a crash finishes what the dead run left undone. test/e2e/crash.e2e.ts kills the process.

const sweepJob = CRON_JOBS["*/2 * * * *"] as (
  ctx: ServiceContext,
  now: number,
) => Promise<{ tasks: number; sendouts: number }>;
/** A fresh object, so the configuration is read again with the variable. */
const withStalledAfter = (seconds: string) => ({ ...env, STALLED_AFTER_SECONDS: seconds }) as Env;

describe("the sweep of stalled work", () => {
  it("re-queues a task that has not moved for 2 minutes, or for STALLED_AFTER_SECONDS", async () => {
    const tenant = await createTenant();
    const now = Date.now();
    const input = { type: "import", params: {} } as const;
    await createTask(projectContext(tenant.project), input, now - 10_000);
    expect(await sweepStaleTasks(systemContext(), now)).toBe(0);
    expect((await sweepJob(systemContext(), now)).tasks).toBe(0);
    expect((await sweepJob(systemContext(withStalledAfter("5")), now)).tasks).toBe(1);
    expect((await sweepJob(systemContext(withStalledAfter("15")), now)).tasks).toBe(0);
    // By default only a task older than 2 minutes.
    await createTask(projectContext(tenant.project), input, now - STALE_AFTER_MS - 1);
    expect(await sweepStaleTasks(systemContext(), now)).toBe(1);
  });

  it("re-sends a sendout pending for a minute and a retry 10 minutes late, or both after STALLED_AFTER_SECONDS", async () => {
    const tenant = await createTenant();
    const db = createDb(env.DB);
    const now = Date.now();
    const sendout = (id: string, status: "pending" | "retry", updatedAt: number, nextAttemptAt: number | null) => ({
      id,
      projectId: tenant.project.id,
      endpointId: "whe_test",
      eventId: `evt_${id}`,
      eventType: "user.login",
      status,
      attempts: status === "retry" ? 1 : 0,
      nextAttemptAt,
      createdAt: updatedAt,
      updatedAt,
    });
    await db
      .insert(webhookSendouts)
      .values([
        sendout("whs_pending", "pending", now - 10_000, null),
        sendout("whs_retry", "retry", now - 20_000, now - 10_000),
      ]);
    expect(await sweepSendouts(systemContext(), now)).toBe(0);
    expect((await sweepJob(systemContext(), now)).sendouts).toBe(0);
    expect((await sweepJob(systemContext(withStalledAfter("5")), now)).sendouts).toBe(2);
    // A swept pending sendout is touched, so the next sweep leaves it to the message just sent.
    expect((await sweepJob(systemContext(withStalledAfter("5")), now + 1)).sendouts).toBe(1);

    await db
      .insert(webhookSendouts)
      .values([
        sendout("whs_old_pending", "pending", now - PENDING_STALE_MS - 1, null),
        sendout("whs_old_retry", "retry", now - RETRY_OVERDUE_MS - 60_000, now - RETRY_OVERDUE_MS - 1),
      ]);
    expect(await sweepSendouts(systemContext(), now)).toBe(2);
  });
});

/** The database, except that inserts into `table` fail: the process dying at that moment. */
function diesInsertingInto(table: string): Env {
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare")
        return (query: string) => {
          if (query.startsWith(`insert into "${table}"`)) throw new Error(`died before writing ${table}`);
          return target.prepare(query);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, DB: db } as Env;
}

describe("a task that ended just before the process died", () => {
  it("tells its people when its message is delivered again", async () => {
    const tenant = await createTenant();
    const body = JSON.stringify({ type: "user.login", occurred_at: "2026-01-01T00:00:00Z" });
    const created = await expectJson<{ id: string }>(
      await api("POST", "/v1/imports", {
        key: tenant.keys.ingest,
        rawBody: body,
        headers: { "Content-Type": "application/x-ndjson" },
      }),
      202,
    );
    // The last step commits, then the run dies before the notification.
    await expect(
      runTaskStep(systemContext(diesInsertingInto("notifications")), created.id, TASK_KINDS),
    ).rejects.toThrow("died before writing notifications");
    const db = createDb(env.DB);
    const byType = async (type: string) =>
      (await db.select().from(notifications).where(eq(notifications.projectId, tenant.project.id))).filter(
        (n) => n.type === type,
      );
    expect(await byType("import.done")).toHaveLength(0);
    // Its message died with the process too: the sweep sends another once it is stale, and only then.
    const later = Date.now() + STALE_AFTER_MS + 1;
    const swept = async (now: number) => (await staleTasks(systemContext(), now)).map((t) => t.id);
    expect(await swept(Date.now())).not.toContain(created.id);
    expect(await swept(later)).toContain(created.id);
    expect(await runTaskStep(systemContext(), created.id, TASK_KINDS)).toBe("finished");
    expect(await runTaskStep(systemContext(), created.id, TASK_KINDS)).toBe("finished");
    expect(await byType("import.done")).toHaveLength(1);
    // Told: the sweep leaves it alone from now on.
    expect(await swept(later)).not.toContain(created.id);
  });

  it("a task that ended and was told is never swept", async () => {
    const tenant = await createTenant();
    const body = JSON.stringify({ type: "user.login", occurred_at: "2026-01-01T00:00:00Z" });
    const created = await expectJson<{ id: string }>(
      await api("POST", "/v1/imports", {
        key: tenant.keys.ingest,
        rawBody: body,
        headers: { "Content-Type": "application/x-ndjson" },
      }),
      202,
    );
    expect(await runTaskStep(systemContext(), created.id, TASK_KINDS)).toBe("done");
    const stale = await staleTasks(systemContext(), Date.now() + STALE_AFTER_MS + 1);
    expect(stale.map((t) => t.id)).not.toContain(created.id);
  });

  it("tells its people it failed when the dead-letter message is delivered again", async () => {
    const tenant = await createTenant();
    const db = createDb(env.DB);
    const task = await createTask(projectContext(tenant.project), { type: "import", params: { name: "a.jsonl" } });
    const giveUp = { taskId: task.id, reason: "gave up" };
    await expect(failTask(systemContext(diesInsertingInto("notifications")), giveUp, TASK_KINDS)).rejects.toThrow();
    await failTask(systemContext(), giveUp, TASK_KINDS);
    await failTask(systemContext(), giveUp, TASK_KINDS);
    const rows = await db.select().from(notifications).where(eq(notifications.projectId, tenant.project.id));
    expect(rows.map((n) => n.type)).toEqual(["import.failed"]);
  });
});
