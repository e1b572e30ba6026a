import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type ShardDb = ReturnType<typeof createShardDb>;

/** A drizzle client over one event shard; built per unit of work like the control client. */
export function createShardDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
