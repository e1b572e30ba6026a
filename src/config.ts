import { z } from "zod";

/** Variables and secrets, checked once per isolate (wrangler.toml [vars], .dev.vars, secrets). */
const Config = z.object({
  ENVIRONMENT: z.enum(["production", "development", "test"]).default("production"),
  /** Must equal the period of the API_RATE_LIMITER binding in wrangler.toml (10 or 60). */
  RATE_LIMIT_PERIOD_SECONDS: z.coerce.number().int().positive().default(10),
  /** Exports up to this many rows download at once from the dashboard; larger ones run in the background. */
  EXPORT_DIRECT_MAX_ROWS: z.coerce.number().int().min(0).default(50_000),
  /**
   * Seconds without progress after which the every-2-minutes sweep treats background work as lost
   * and queues it again: a task not advanced, a sendout still pending, a retry past its time. Unset:
   * 2 minutes, 1 minute and 10 minutes. Only tests need seconds.
   */
  STALLED_AFTER_SECONDS: z.coerce.number().int().positive().optional(),
  /**
   * The events feed and log streams serve only events received at least this long ago (README
   * "Events feed"): longer than any ingest request takes between taking its receive time and
   * committing, so nothing can still appear before a position already served. Only tests shorten it.
   */
  FEED_SETTLE_SECONDS: z.coerce.number().int().positive().default(60),
  /** How often an idle log stream looks for new events (README "Log streams"). Only tests shorten it. */
  STREAM_INTERVAL_SECONDS: z.coerce.number().int().positive().default(30),
  /**
   * Event shards (README "Storage at scale"): above SHARD_CLOSE_BYTES a shard takes no new projects;
   * above SHARD_FULL_BYTES its projects' ingest answers 503 until an operator moves some away. D1
   * databases hold at most 10 GB.
   */
  SHARD_CLOSE_BYTES: z.coerce.number().int().positive().default(8_000_000_000),
  SHARD_FULL_BYTES: z.coerce.number().int().positive().default(9_500_000_000),
  /**
   * The operators' API (`/v1/admin`, `npm run shards`) answers only to this bearer token; unset, it
   * is off. `wrangler secret put OPERATOR_TOKEN`.
   */
  OPERATOR_TOKEN: z.string().min(32, "OPERATOR_TOKEN must be at least 32 characters").optional(),
  /** Ed25519 private key as a JWK that signs integrity digests (`npm start` makes one for local use). */
  INTEGRITY_SIGNING_KEY: z.string().optional(),
  /** Encrypts secrets that must be read back (TOTP). `wrangler secret put SECRETS_KEY`; `npm start` writes one to .dev.vars. */
  SECRETS_KEY: z.string().min(32, "SECRETS_KEY must be at least 32 characters (wrangler secret put SECRETS_KEY)"),
});
export type Config = z.infer<typeof Config>;

let cached: { env: unknown; config: Config } | undefined;

export function readConfig(env: Env): Config {
  if (cached?.env !== env) cached = { env, config: Config.parse(env) };
  return cached.config;
}
