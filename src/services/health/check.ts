import { sql } from "drizzle-orm";
import type { ServiceContext } from "../context";

/** One round trip to the database; throws when it does not answer. */
export async function checkDatabase(ctx: ServiceContext): Promise<void> {
  await ctx.db.get(sql`SELECT 1`);
}
