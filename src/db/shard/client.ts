import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type ShardDb = ReturnType<typeof createShardDb>;

const clients = new WeakMap<D1Database, ReturnType<typeof build>>();

function build(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** A drizzle client over one event shard, kept per binding object like the control client (src/db/client.ts). */
export function createShardDb(d1: D1Database) {
  let db = clients.get(d1);
  if (!db) {
    db = build(d1);
    clients.set(d1, db);
  }
  return db;
}
