import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/** Built per request from the binding (CONVENTIONS: no module-level clients). */
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
