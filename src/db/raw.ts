import { type Column, type SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";

// Hand-written SQL where it earns its keep (bulk `json_each` inserts, FTS5, `INDEXED BY`), still
// naming tables and columns through the drizzle schema: renaming one there renames it here, or
// fails to compile.

const dialect = new SQLiteAsyncDialect();

/**
 * Columns by their bare names, for the column list of an INSERT or an ON CONFLICT target (SQLite
 * refuses `"table"."column"` there). Elsewhere a column in `sql` renders qualified by itself.
 */
export function columnList(...columns: Column[]): SQL {
  return sql.join(
    columns.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
}

/**
 * A D1 statement from drizzle SQL or a drizzle query, for `d1.batch`: drizzle 0.45's own batch
 * cannot bind a raw `db.run(sql…)` that has parameters, so batches holding one go through D1's.
 */
export function prepared(
  d1: D1Database,
  query: SQL | { toSQL(): { sql: string; params: unknown[] } },
): D1PreparedStatement {
  const { sql: text, params } = "toSQL" in query ? query.toSQL() : dialect.sqlToQuery(query);
  return d1.prepare(text).bind(...params);
}
