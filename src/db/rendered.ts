import { fillPlaceholders } from "drizzle-orm";
import type { Db } from "./client";

/** A drizzle statement after `.prepare()`: its SQL, and how drizzle maps D1's rows to its result. */
type Prepared = {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
  execute(...args: never[]): Promise<unknown>;
};

type Results<B extends readonly Prepared[]> = { -readonly [K in keyof B]: Awaited<ReturnType<B[K]["execute"]>> };

/**
 * A batch of statements drizzle renders to SQL once per isolate, built over `sql.placeholder()`s:
 * each run binds the values, sends one batch and maps the rows as drizzle's own batch does. For the
 * batch every project page sends first, where building the statements cost more than reading them.
 * A value the statements bind that is not a placeholder stays the same for every run.
 */
export function renderedOnce<const B extends readonly Prepared[]>(build: (db: Db) => B) {
  let built: B | undefined;
  return async (db: Db, values: Record<string, unknown>): Promise<Results<B>> => {
    built ??= build(db);
    const d1 = db.$client;
    const results = await d1.batch(
      built.map((p) => {
        const { sql, params } = p.getQuery();
        return d1.prepare(sql).bind(...fillPlaceholders(params, values));
      }),
    );
    return built.map((p, i) => p.mapResult(results[i], true)) as Results<B>;
  };
}
