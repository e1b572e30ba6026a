import { z } from "zod";
import type { Db } from "./db/client";
import type { ApiKey, Project } from "./db/schema";

/** Variables and secrets, checked once per isolate (wrangler.toml [vars], .dev.vars, secrets). */
const Config = z.object({
  ENVIRONMENT: z.enum(["production", "development", "test"]).default("production"),
  /** Must equal the period of the API_RATE_LIMITER binding in wrangler.toml (10 or 60). */
  RATE_LIMIT_PERIOD_SECONDS: z.coerce.number().int().positive().default(10),
});
export type Config = z.infer<typeof Config>;

let cached: { env: unknown; config: Config } | undefined;

export function readConfig(env: Env): Config {
  if (cached?.env !== env) cached = { env, config: Config.parse(env) };
  return cached.config;
}

export type ApiAuth = { key: ApiKey; project: Project };

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    config: Config;
    auth: ApiAuth;
  };
};
