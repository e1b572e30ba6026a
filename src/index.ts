import { createApp } from "./app";
import { handleScheduled } from "./cron";
import { handleQueue } from "./queues/consumer";
import { checkAlertsOnIngest } from "./services/alerts/evaluate";
import { afterStore } from "./services/ingest/after-store";
import { learnOrganizationNames } from "./services/projects/organizations";

// Alert rules of the "any match" kind look at every stored batch (README "Alerts").
afterStore(checkAlertsOnIngest);
// Organisation display names an event carries in `metadata.organization_name` (README "Filters").
afterStore(learnOrganizationNames);
const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => handleQueue(batch, env, { waitUntil: (work) => ctx.waitUntil(work) }),
  scheduled: (controller, env, ctx) => ctx.waitUntil(handleScheduled(controller, env, (work) => ctx.waitUntil(work))),
} satisfies ExportedHandler<Env>;
