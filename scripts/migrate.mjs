// npm run db:migrate:local | db:migrate:remote — the control database's migrations (migrations/)
// and, to every event shard wrangler.toml binds, the shard migrations (migrations/events).
import { parseArgs } from "node:util";
import { applyMigrations } from "./lib/wrangler.mjs";

const { values } = parseArgs({ options: { local: { type: "boolean" }, remote: { type: "boolean" } } });
if (Boolean(values.local) === Boolean(values.remote)) {
  console.error("pass exactly one of --local or --remote");
  process.exit(1);
}
try {
  applyMigrations(Boolean(values.remote));
} catch (error) {
  console.error(`migrations failed: ${error.message}`);
  process.exit(1);
}
