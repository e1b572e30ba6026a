import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";

const dialect = new SQLiteAsyncDialect();

type Queued = { statement: D1PreparedStatement; resolve: (rows: unknown[]) => void; reject: (error: unknown) => void };

/** Reads from one shard, as rows keyed by column name, like drizzle's `db.all`. */
export type ShardReader = <T>(query: SQL) => Promise<T[]>;

/**
 * Reads of one unit of work that start in the same turn go to D1 together, as one batch: the
 * explorer page's list and its pickers are one call and one round trip instead of one each. Only
 * statements that read belong here (a batch is one transaction). When a batch fails, each of its
 * statements runs again alone, so each caller gets its own rows or its own error.
 */
export function coalescedReader(d1: D1Database): ShardReader {
  let queued: Queued[] = [];
  const alone = ({ statement, resolve, reject }: Queued) => statement.all().then((r) => resolve(r.results), reject);
  const flush = async () => {
    const batch = queued;
    queued = [];
    if (batch.length === 1) return alone(batch[0] as Queued);
    try {
      const results = await d1.batch(batch.map((q) => q.statement));
      for (const [i, q] of batch.entries()) q.resolve(results[i]?.results ?? []);
    } catch {
      await Promise.all(batch.map(alone));
    }
  };
  return <T>(query: SQL) =>
    new Promise<T[]>((resolve, reject) => {
      // Rendered here, so a statement that cannot be fails its own caller at once (the executor throws).
      const { sql, params } = dialect.sqlToQuery(query);
      const statement = d1.prepare(sql).bind(...params);
      if (queued.length === 0) queueMicrotask(flush);
      queued.push({ statement, resolve: resolve as (rows: unknown[]) => void, reject });
    });
}
