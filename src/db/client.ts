import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

const clients = new WeakMap<D1Database, ReturnType<typeof build>>();

function build(d1: D1Database) {
  return drizzle(d1, { schema });
}

/**
 * The client for a unit of work's service context (src/services/context.ts), over the binding it
 * was given. Building one walks the whole schema (a twentieth of a single event's CPU), so one is
 * kept per binding object and made again only for another (a test's failing stand-in): it holds
 * nothing of a request but the binding, which the isolate's environment keeps anyway.
 */
export function createDb(d1: D1Database) {
  let db = clients.get(d1);
  if (!db) {
    db = build(d1);
    clients.set(d1, db);
  }
  return db;
}
