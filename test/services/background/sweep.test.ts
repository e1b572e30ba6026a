import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CRON_JOBS } from "../../../src/cron";
import { createDb } from "../../../src/db/client";
import { webhookSendouts } from "../../../src/db/schema";
import { createTask, STALE_AFTER_MS, sweepStaleTasks } from "../../../src/services/tasks/engine";
import { PENDING_STALE_MS, RETRY_OVERDUE_MS, sweepSendouts } from "../../../src/services/webhooks/sweep";
import { createTenant } from "../../fixtures";

// The every-2-minutes cron re-queues background work whose queue message was lost (a crash between
// a commit and its send; locally, every message in flight when wrangler dev dies). STALLED_AFTER_SECONDS
// shortens its thresholds so a test need not wait minutes; test/e2e/crash.e2e.ts kills the process.

const sweepJob = CRON_JOBS["*/2 * * * *"] as (env: Env, now: number) => Promise<{ tasks: number; sendouts: number }>;
/** A fresh object, so the configuration is read again with the variable. */
const withStalledAfter = (seconds: string) => ({ ...env, STALLED_AFTER_SECONDS: seconds }) as Env;

describe("the sweep of stalled work", () => {
  it("re-queues a task that has not moved for 2 minutes, or for STALLED_AFTER_SECONDS", async () => {
    const tenant = await createTenant();
    const db = createDb(env.DB);
    const now = Date.now();
    const input = { projectId: tenant.project.id, type: "import", params: {}, createdBy: null } as const;
    await createTask(db, input, now - 10_000);
    expect(await sweepStaleTasks(env, now)).toBe(0);
    expect((await sweepJob(env, now)).tasks).toBe(0);
    expect((await sweepJob(withStalledAfter("5"), now)).tasks).toBe(1);
    expect((await sweepJob(withStalledAfter("15"), now)).tasks).toBe(0);
    // By default only a task older than 2 minutes.
    await createTask(db, input, now - STALE_AFTER_MS - 1);
    expect(await sweepStaleTasks(env, now)).toBe(1);
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
    expect(await sweepSendouts(env, now)).toBe(0);
    expect((await sweepJob(env, now)).sendouts).toBe(0);
    expect((await sweepJob(withStalledAfter("5"), now)).sendouts).toBe(2);
    // A swept pending sendout is touched, so the next sweep leaves it to the message just sent.
    expect((await sweepJob(withStalledAfter("5"), now + 1)).sendouts).toBe(1);

    await db
      .insert(webhookSendouts)
      .values([
        sendout("whs_old_pending", "pending", now - PENDING_STALE_MS - 1, null),
        sendout("whs_old_retry", "retry", now - RETRY_OVERDUE_MS - 60_000, now - RETRY_OVERDUE_MS - 1),
      ]);
    expect(await sweepSendouts(env, now)).toBe(2);
  });
});
