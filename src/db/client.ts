import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/**
 * Built once per unit of work, for its service context (src/services/context.ts), never at module
 * level: a module-level client would outlive the request whose binding it holds.
 */
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
