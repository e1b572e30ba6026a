import { sweepStaleTasks } from "../services/tasks/engine";

/** Which job each cron of wrangler.toml runs. */
export const CRON_JOBS: Record<string, (env: Env, now: number) => Promise<unknown>> = {
  // Tasks whose next-step message was lost (a crash between commit and send) start again.
  "*/2 * * * *": (env, now) => sweepStaleTasks(env, now),
};

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const job = CRON_JOBS[controller.cron];
  if (!job) {
    console.warn(`no job for cron "${controller.cron}"`);
    return;
  }
  await job(env, controller.scheduledTime);
}
