import { applyD1Migrations, env } from "cloudflare:test";

// Storage is isolated per test file; every file starts from the migrated, empty schema: the control
// database and every event shard.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
for (const shard of [env.EVENTS_1, env.EVENTS_2, env.EVENTS_3, env.EVENTS_EU_1]) {
  await applyD1Migrations(shard, env.TEST_EVENT_MIGRATIONS);
}
