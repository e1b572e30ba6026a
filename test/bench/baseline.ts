// The platform's limit, measured in the same runtime as Trailbook: a bare Worker that inserts the
// same rows into the same schema with plain multi-row prepared statements, and runs the very SQL
// Trailbook's list and count build — the same statements in the same order (listRows: a window
// read first for set-like filters) — without HTTP shaping, auth, validation or JSON mapping.
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import * as schema from "../../src/db/schema";
import type { ProjectContext } from "../../src/services/context";
import { compileFilters, type EventFilters } from "../../src/services/events/filters";
import { countQuery, listRows, toStoredEvent } from "../../src/services/events/query";
import { csvLines, csvRecord } from "../../src/services/exports/format";

type Env = { DB: D1Database };

const COLUMNS = [
  "project_id",
  "id",
  "occurred_at",
  "received_at",
  "data",
  "hash",
  "category",
  "type",
  "action",
  "status",
  "source",
  "actor_type",
  "actor_id",
  "actor_name",
  "actor_email",
  "entity_type",
  "entity_id",
  "organization_id",
  "request_id",
  "job_id",
  "request_method",
  "request_path",
  "status_code",
];
// D1 allows 100 bound parameters per statement: 4 rows of 23 columns.
const ROWS_PER_STATEMENT = Math.floor(100 / COLUMNS.length);

async function insert(env: Env, rows: unknown[][]): Promise<number> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const values = chunk.map(() => `(${COLUMNS.map(() => "?").join(", ")})`).join(", ");
    statements.push(
      env.DB.prepare(`INSERT INTO events (${COLUMNS.join(", ")}) VALUES ${values}`).bind(...chunk.flat()),
    );
  }
  await env.DB.batch(statements);
  return rows.length;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const db = drizzle(env.DB, { schema });
    if (url.pathname === "/insert" && request.method === "POST") {
      const { rows } = (await request.json()) as { rows: unknown[][] };
      return Response.json({ inserted: await insert(env, rows) });
    }
    if (url.pathname === "/list" || url.pathname === "/count") {
      const { project, pn, filters, tz } = (await request.json()) as {
        project: string;
        pn?: number;
        filters: EventFilters;
        tz: string;
      };
      const query = compileFilters(filters, tz);
      // listRows reads only the event store and the project's number there: a bare Worker has no more to give.
      const events = { db, d1: env.DB, pn: pn ?? 1 };
      const ctx = { db, d1: env.DB, project: { id: project }, events } as unknown as ProjectContext;
      if (url.pathname === "/list") return Response.json({ rows: (await listRows(ctx, query, { limit: 50 })).length });
      const built = new SQLiteAsyncDialect().sqlToQuery(countQuery(events.pn, query));
      const result = await env.DB.prepare(built.sql)
        .bind(...built.params)
        .all();
      return Response.json({ rows: result.results.length });
    }
    if ((url.pathname === "/read" || url.pathname === "/read-format") && request.method === "POST") {
      // Export's baselines: read every matching row by keyset, 1,000 at a time, touching the data;
      // and with /read-format also what no export can skip, parsing each stored event and writing
      // its CSV line (Trailbook's own functions), but no task, no part buffer and no R2 upload.
      const { project } = (await request.json()) as { project: string };
      const format = url.pathname === "/read-format";
      const encoder = new TextEncoder();
      let after: [number, string] = [Number.MAX_SAFE_INTEGER, ""];
      let rows = 0;
      let bytes = 0;
      for (;;) {
        const page = await env.DB.prepare(
          "SELECT id, occurred_at, data, received_at, hash FROM events WHERE project_id = ?1 AND (occurred_at, id) < (?2, ?3) ORDER BY occurred_at DESC, id DESC LIMIT 1000",
        )
          .bind(project, after[0], after[1])
          .all<{ id: string; occurred_at: number; data: string; received_at: number; hash: string }>();
        if (format)
          bytes += encoder.encode(
            csvLines(
              page.results.map((r) =>
                csvRecord(toStoredEvent({ data: r.data, receivedAt: r.received_at, hash: r.hash })),
              ),
            ),
          ).byteLength;
        else for (const r of page.results) bytes += r.data.length;
        rows += page.results.length;
        const last = page.results.at(-1);
        if (!last || page.results.length < 1000) break;
        after = [last.occurred_at, last.id];
      }
      return Response.json({ rows, bytes });
    }
    if (url.pathname === "/exec" && request.method === "POST") {
      const { sql, params } = (await request.json()) as { sql: string; params?: unknown[] };
      const result = await env.DB.prepare(sql)
        .bind(...(params ?? []))
        .all();
      return Response.json({ results: result.results, meta: result.meta });
    }
    return new Response("not found", { status: 404 });
  },
};
