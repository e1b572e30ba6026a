import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with real local D1, R2 and Queues (miniflare). Storage is isolated per
// test file; test/setup.ts applies the migrations before each file.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  const eventMigrations = await readD1Migrations(path.join(import.meta.dirname, "migrations", "events"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml", environment: "test" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_EVENT_MIGRATIONS: eventMigrations,
            ENVIRONMENT: "test",
            RATE_LIMIT_PERIOD_SECONDS: "60",
            SECRETS_KEY: "test-secrets-key-0123456789abcdef0123456789",
            OPERATOR_TOKEN: "test-operator-token-0123456789abcdef0123456789",
            INTEGRITY_SIGNING_KEY:
              '{"crv":"Ed25519","d":"DbrIOkfOInmNKVFSA8QNeRSzz0wFYG1j0dKPDiGRgWU","x":"nX_4a6LXoDNHWulPoE348xT59TYWI0cHPHPZpOEOBwI","kty":"OKP"}',
          },
          // A small limit so the 429 path is reachable in a test; production uses wrangler.toml's.
          ratelimits: { API_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 30, period: 60 } } },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "test/bench/**"],
      setupFiles: ["./test/setup.ts"],
    },
  };
});
