import { createDb } from "../db/client";
import { readConfig } from "../env";
import { sweepImportUploads } from "../services/imports/cleanup";
import { createAllDigests } from "../services/integrity/digests";
import { sendNotificationEmails } from "../services/notifications/email";
import { startRetention } from "../services/retention/run";
import { sweepStaleTasks } from "../services/tasks/engine";
import { sweepSendouts } from "../services/webhooks/sweep";

/** Which job each cron of wrangler.toml runs. */
export const CRON_JOBS: Record<string, (env: Env, now: number) => Promise<unknown>> = {
  // Hourly: a signed digest of each project's events received in the last closed hour.
  "5 * * * *": (env, now) => createAllDigests(env, createDb(env.DB), readConfig(env).INTEGRITY_SIGNING_KEY, now),
  // Daily: a retention task per project (events, archives, old records, expired export files).
  "17 3 * * *": (env, now) => startRetention(env, createDb(env.DB), now),
  // Tasks whose next-step message was lost (a crash between commit and send) start again, and
  // webhook sendouts that never got (or lost) their delivery message are sent.
  // Notification e-mails go out on the same beat, and uploads of ended imports are deleted.
  "*/2 * * * *": async (env, now) => {
    const stalled = readConfig(env).STALLED_AFTER_SECONDS;
    const stalledAfterMs = stalled === undefined ? undefined : stalled * 1000;
    return {
      tasks: await sweepStaleTasks(env, now, stalledAfterMs),
      uploads: await sweepImportUploads(env, now),
      sendouts: await sweepSendouts(env, now, stalledAfterMs),
      emails: await sendNotificationEmails(env, now),
    };
  },
};

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const job = CRON_JOBS[controller.cron];
  if (!job) {
    console.warn(`no job for cron "${controller.cron}"`);
    return;
  }
  await job(env, controller.scheduledTime);
}
