import type { Region } from "../schema/shards";

/**
 * Event shards are the D1 bindings named EVENTS_<n> (default region) or EVENTS_EU_<n> (a database
 * created with `--jurisdiction eu`). Bindings are static, declared in wrangler.toml; they are found
 * by name at run time, so a new shard needs no code change (README "Storage at scale").
 */
const SHARD_BINDING = /^EVENTS_(?:(EU)_)?(\d+)$/;

export type ShardBinding = { binding: string; region: Region; d1: D1Database };

function isD1(value: unknown): value is D1Database {
  return typeof value === "object" && value !== null && "prepare" in value && "batch" in value;
}

export function regionOfBinding(binding: string): Region | undefined {
  const match = SHARD_BINDING.exec(binding);
  if (!match) return undefined;
  return match[1] ? "eu" : "default";
}

/** Every shard binding of this deployment, in name order. */
export function shardBindings(env: Env): ShardBinding[] {
  const out: ShardBinding[] = [];
  for (const [binding, value] of Object.entries(env as unknown as Record<string, unknown>)) {
    const region = regionOfBinding(binding);
    if (region && isD1(value)) out.push({ binding, region, d1: value });
  }
  return out.sort((a, b) => a.binding.localeCompare(b.binding, "en", { numeric: true }));
}

/** The D1 database behind a shard binding; undefined when this deployment has no such binding. */
export function shardDatabase(env: Env, binding: string): D1Database | undefined {
  if (!regionOfBinding(binding)) return undefined;
  const value = (env as unknown as Record<string, unknown>)[binding];
  return isD1(value) ? value : undefined;
}
