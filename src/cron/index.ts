import { checkAlertWindows } from "../services/alerts/evaluate";
import { createContext, type ServiceContext } from "../services/context";
import { sweepImportUploads } from "../services/imports/cleanup";
import { createAllDigests } from "../services/integrity/digests";
import { sendNotificationEmails } from "../services/mail/notification-emails";
import { startRetention } from "../services/retention/run";
import { adoptLegacyProjects } from "../services/shards/adopt";
import { measureShards } from "../services/shards/directory";
import { backfillMetadata } from "../services/shards/metadata-backfill";
import { sweepStreams } from "../services/streams/sweep";
import { sweepStaleTasks } from "../services/tasks/engine";
import { sweepSendouts } from "../services/webhooks/sweep";

/** Which job each cron of wrangler.toml runs. */
export const CRON_JOBS: Record<string, (ctx: ServiceContext, now: number) => Promise<unknown>> = {
  // Hourly: a signed digest of each project's events received in the last closed hour, and every
  // event shard's size (a shard past the close threshold takes no new projects).
  "5 * * * *": async (ctx, now) => ({
    digests: await createAllDigests(ctx, now),
    shards: await measureShards(ctx, now),
  }),
  // Daily: a retention task per project (events, archives, old records, expired export files).
  "17 3 * * *": (ctx, now) => startRetention(ctx, now),
  // Tasks whose next-step message was lost (a crash between commit and send) start again, webhook
  // deliveries still in a shard's outbox become sendouts, and sendouts that never got (or lost)
  // their delivery message are sent.
  // Notification e-mails go out on the same beat, and uploads of ended imports are deleted.
  "*/2 * * * *": async (ctx, now) => {
    const stalled = ctx.config.STALLED_AFTER_SECONDS;
    const stalledAfterMs = stalled === undefined ? undefined : stalled * 1000;
    return {
      // Projects from before the event shards get a home, and their events are copied there.
      adopted: await adoptLegacyProjects(ctx, now),
      // Events stored before the metadata index get their rows (README "Filters").
      metadata: await backfillMetadata(ctx),
      tasks: await sweepStaleTasks(ctx, now, stalledAfterMs),
      uploads: await sweepImportUploads(ctx, now),
      sendouts: await sweepSendouts(ctx, now, stalledAfterMs),
      // Log streams whose next-run message was lost run again.
      streams: await sweepStreams(ctx, now, stalledAfterMs),
      // Alert rules with a threshold look at their last window (README "Alerts"), before the e-mails go.
      alerts: await checkAlertWindows(ctx, now),
      emails: await sendNotificationEmails(ctx, now),
    };
  },
};

/** Runs the job of the controller's cron with one context for the run, the system acting. */
export async function handleScheduled(
  controller: ScheduledController,
  env: Env,
  waitUntil?: (work: Promise<unknown>) => void,
): Promise<unknown> {
  const job = CRON_JOBS[controller.cron];
  if (!job) {
    console.warn(`no job for cron "${controller.cron}"`);
    return undefined;
  }
  return job(createContext(env, { actor: { kind: "system", name: "cron" }, waitUntil }), controller.scheduledTime);
}
