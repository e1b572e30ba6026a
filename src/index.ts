import { createApp } from "./app";
import { handleScheduled } from "./cron";
import { handleQueue } from "./queues/consumer";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueue(batch, env, { waitUntil: (work) => ctx.waitUntil(work) }),
  scheduled: (controller, env, ctx) => ctx.waitUntil(handleScheduled(controller, env, (work) => ctx.waitUntil(work))),
} satisfies ExportedHandler<Env>;
