// The platform's limit, measured in the same runtime as Trailbook: a bare Worker that inserts the
// same rows into the same shard with plain multi-row prepared statements, and runs the very SQL
// Trailbook's list and count build on the project's shard — the same statements in the same order
// (listRows: a window read first for set-like filters) — without HTTP shaping, auth, validation or
// JSON mapping.
import { createDb } from "../../src/db/client";
import { regionOfBinding, shardDatabase } from "../../src/db/shard/bindings";
import { createShardDb } from "../../src/db/shard/client";
import { coalescedReader } from "../../src/db/shard/reads";
import { FACETS } from "../../src/db/shard/schema";
import { fromStoredData, storeStatements } from "../../src/db/shard/write";
import type { Access } from "../../src/lib/permissions";
import type { EventStore, ProjectContext, ServiceContext } from "../../src/services/context";
import { loadFacets } from "../../src/services/events/facets";
import { compileFilters, type EventFilters } from "../../src/services/events/filters";
import { countEvents, listRows, toStoredEvent } from "../../src/services/events/query";
import { csvLine } from "../../src/services/exports/format";
import { PART_SIZE } from "../../src/services/exports/run";
import { findSessionMembership } from "../../src/services/members/membership";

/** The D1 database behind a binding name: DB, or a shard. */
function database(env: Env, name: string): D1Database {
  const d1 = name === "DB" ? env.DB : shardDatabase(env, name);
  if (!d1) throw new Error(`the baseline binds no database ${name} (test/bench/wrangler.baseline.toml)`);
  return d1;
}

/** Where a project's events live, as Trailbook's context carries it. */
function eventStore(env: Env, shard: string, pn: number): EventStore {
  const d1 = database(env, shard);
  const region = regionOfBinding(shard);
  if (!region) throw new Error(`${shard} is not a shard binding`);
  return { binding: shard, region, d1, db: createShardDb(d1), read: coalescedReader(d1), pn };
}

const term = (facet: number, p: number) => `(SELECT id FROM terms WHERE facet = ${facet} AND value = ?${p})`;

/**
 * One row's values: [occurred_at, received_at, hash (hex), data, category, type, status, source,
 * actor id, actor name, actor e-mail, actor type, entity type, organization]; the filter values go
 * in as text and become the dictionary's ids in the same statement, as ingest's do. ?1 is the pn.
 */
const ROW_VALUES = 14;
const rowSql = (p: number) =>
  `(?1, ?${p}, ?${p + 1}, unhex(?${p + 2}), ?${p + 3}, ${term(FACETS.category, p + 4)}, ${term(FACETS.type, p + 5)}, ${term(FACETS.status, p + 6)}, ${term(FACETS.source, p + 7)}, (SELECT id FROM actors WHERE actor_id = ?${p + 8} AND name = ?${p + 9} AND email = ?${p + 10}), ${term(FACETS.actor_type, p + 11)}, ${term(FACETS.entity_type, p + 12)}, ${term(FACETS.organization, p + 13)})`;
// D1 allows 100 bound parameters per statement: the pn and 7 rows of 14.
const ROWS_PER_STATEMENT = Math.floor(99 / ROW_VALUES);

/**
 * The bare insert: only the events rows (their full-text and changed-field triggers fire as for
 * Trailbook). The dictionary already holds their values, stored by Trailbook's ingest of the same
 * events just before; picker values and day counts, which ingest also writes, are not written.
 */
async function insert(d1: D1Database, pn: number, rows: unknown[][]): Promise<number> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const values = chunk.map((_, r) => rowSql(2 + r * ROW_VALUES)).join(", ");
    statements.push(
      d1
        .prepare(
          `INSERT INTO events (pn, occurred_at, received_at, hash, data, category, type, status, source, actor, actor_type, entity_type, organization) VALUES ${values}`,
        )
        .bind(pn, ...chunk.flat()),
    );
  }
  await d1.batch(statements);
  return rows.length;
}

/**
 * Trailbook's own write batch for the same rows (src/db/shard/write.ts: the events with their
 * dictionary entries, actor words, picker values and day counts), sent by a bare Worker: what a
 * single event costs the shard once no API, authentication, rate limit, validation or hashing
 * runs. Changed fields and metadata keys are read back from the stored JSON (fromStoredData).
 */
async function store(d1: D1Database, pn: number, rows: unknown[][]): Promise<number> {
  const events = rows.map((r) => {
    const [occurredAt, receivedAt, hash, data, category, type, status, source, actorId, actorName, actorEmail] = r as [
      number,
      number,
      string,
      string,
      string,
      string,
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
    ];
    const [actorType, entityType, organizationId] = r.slice(11) as (string | null)[];
    return fromStoredData({
      occurredAt,
      receivedAt,
      hash,
      data,
      category,
      type,
      status,
      source,
      actorId: actorId || null,
      actorName: actorName || null,
      actorEmail: actorEmail || null,
      actorType: actorType ?? null,
      entityType: entityType ?? null,
      organizationId: organizationId ?? null,
    });
  });
  await d1.batch(storeStatements(d1, pn, events).statements);
  return events.length;
}

type Read = { shard: string; pn: number };
type Statement = { sql: string; params: unknown[] };

/** The same database, noting every statement bound on it with its parameters (for /plan and /page). */
function recording(d1: D1Database, log: Statement[]): D1Database {
  const bound = <T extends object>(target: T, key: string | symbol) => {
    const value = Reflect.get(target, key);
    return typeof value === "function" ? value.bind(target) : value;
  };
  return new Proxy(d1, {
    get(target, key) {
      if (key !== "prepare") return bound(target, key);
      // Logged when bound: a statement prepared and never bound (drizzle's `.prepare()`) is not sent.
      return (sql: string) =>
        new Proxy(target.prepare(sql), {
          get(statement, k) {
            if (k !== "bind") return bound(statement, k);
            return (...params: unknown[]) => {
              log.push({ sql, params });
              return statement.bind(...params);
            };
          },
        });
    },
  });
}

type PageReads = Read & { project: string; token: string; tz: string };

/** The control database's statements of a project page's first round trip, per session and project. */
const firstTrips = new Map<string, Statement[]>();

/**
 * The D1 reads an explorer page must make, with no Worker code around them: its first round trip
 * (session, user, membership, unread count, the member's projects: the very statements
 * findSessionMembership sends, recorded once and then sent as they are), then the list query
 * (as /list runs it) beside the pickers' statement. No HTTP shaping, cookies, state, mapping of
 * the first trip's rows, or rendering. Returns the rows listed.
 */
async function pageReads(env: Env, { shard, pn, project, token, tz }: PageReads): Promise<number> {
  const key = `${token}\n${project}`;
  let first = firstTrips.get(key);
  if (!first) {
    const log: Statement[] = [];
    const db = recording(env.DB, log);
    const ctx = { env, d1: db, db: createDb(db) } as unknown as ServiceContext;
    if (!(await findSessionMembership(ctx, token, project))?.membership)
      throw new Error("the bench's session is not a member of its project");
    first = log;
    firstTrips.set(key, first);
  }
  await env.DB.batch(first.map(({ sql, params }) => env.DB.prepare(sql).bind(...params)));
  const ctx = { project: { id: project }, events: eventStore(env, shard, pn) } as unknown as ProjectContext;
  const owner = { role: "owner", organizationId: null, customRole: null } as unknown as Access;
  const [rows] = await Promise.all([listRows(ctx, compileFilters({}, tz), { limit: 50 }), loadFacets(ctx, owner)]);
  return rows.length;
}

/** Bytes written to one R2 multipart upload in PART_SIZE parts, then deleted once complete. */
async function partUploader(files: R2Bucket) {
  const key = `bench-baseline/${crypto.randomUUID()}.csv`;
  const upload = await files.createMultipartUpload(key);
  const parts: R2UploadedPart[] = [];
  let held: Uint8Array[] = [];
  let size = 0;
  const send = async (bytes: number) => {
    const part = new Uint8Array(bytes);
    let offset = 0;
    const rest: Uint8Array[] = [];
    for (const chunk of held) {
      const take = Math.min(chunk.byteLength, bytes - offset);
      part.set(chunk.subarray(0, take), offset);
      offset += take;
      if (take < chunk.byteLength) rest.push(chunk.subarray(take));
    }
    held = rest;
    size -= bytes;
    parts.push(await upload.uploadPart(parts.length + 1, part));
  };
  return {
    async write(bytes: Uint8Array) {
      held.push(bytes);
      size += bytes.byteLength;
      while (size >= PART_SIZE) await send(PART_SIZE);
    },
    async finish() {
      if (size > 0 || parts.length === 0) await send(size);
      await upload.complete(parts);
      await files.delete(key);
    },
  };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return await handle(request, env);
    } catch (error) {
      // The bench prints this: a statement's error, not workerd's HTML page.
      return new Response(error instanceof Error ? (error.stack ?? error.message) : String(error), { status: 500 });
    }
  },
};

async function handle(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if ((url.pathname === "/insert" || url.pathname === "/limited-insert") && request.method === "POST") {
    const { shard, pn, rows, key } = (await request.json()) as Read & { rows: unknown[][]; key?: string };
    // /limited-insert: first the platform's rate limit call Trailbook makes for every API request
    // (the same binding and limit as wrangler.toml), then the one-row insert.
    if (url.pathname === "/limited-insert" && !(await env.API_RATE_LIMITER.limit({ key: key ?? "" })).success)
      return new Response("rate limited", { status: 429 });
    return Response.json({ inserted: await insert(database(env, shard), pn, rows) });
  }
  if (url.pathname === "/store" && request.method === "POST") {
    const { shard, pn, rows } = (await request.json()) as Read & { rows: unknown[][] };
    return Response.json({ stored: await store(database(env, shard), pn, rows) });
  }
  if (url.pathname === "/page" && request.method === "POST") {
    return Response.json({ rows: await pageReads(env, (await request.json()) as PageReads) });
  }
  if (url.pathname === "/list" || url.pathname === "/count") {
    const { shard, pn, project, filters, tz } = (await request.json()) as Read & {
      project: string;
      filters: EventFilters;
      tz: string;
    };
    const query = compileFilters(filters, tz);
    // The list and count read only the project's event store: a bare Worker has no more to give.
    const ctx = { project: { id: project }, events: eventStore(env, shard, pn) } as unknown as ProjectContext;
    if (url.pathname === "/list") return Response.json({ rows: (await listRows(ctx, query, { limit: 50 })).length });
    return Response.json({ count: await countEvents(ctx, query) });
  }
  if (url.pathname === "/plan") {
    // What a list or count runs on the shard, statement by statement: SQLite's query plan and the
    // time each takes alone (the statements of /list and /count, recorded as they run).
    const { shard, pn, project, filters, tz, kind } = (await request.json()) as Read & {
      project: string;
      filters: EventFilters;
      tz: string;
      kind: "list" | "count";
    };
    const log: Statement[] = [];
    const store = eventStore(env, shard, pn);
    const d1 = recording(store.d1, log);
    const ctx = {
      project: { id: project },
      events: { ...store, d1, db: createShardDb(d1), read: coalescedReader(d1) },
    } as unknown as ProjectContext;
    const query = compileFilters(filters, tz);
    if (kind === "count") await countEvents(ctx, query);
    else await listRows(ctx, query, { limit: 50 });
    const statements = [];
    for (const { sql, params } of log) {
      const plan = await store.d1
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const started = performance.now();
      const rows = await store.d1
        .prepare(sql)
        .bind(...params)
        .all();
      // A Worker's clock moves across I/O: this is the statement's round trip to D1.
      const ms = Math.round((performance.now() - started) * 100) / 100;
      statements.push({ sql, params, rows: rows.results.length, ms, plan: plan.results.map((r) => r.detail) });
    }
    return Response.json({ statements });
  }
  if (
    (url.pathname === "/read" || url.pathname === "/read-format" || url.pathname === "/read-format-upload") &&
    request.method === "POST"
  ) {
    // Export's baselines: read every row of the project by keyset, 1,000 at a time, touching the
    // data (the export's statement, src/services/exports/read.ts); and with /read-format also
    // what no export can skip, parsing each stored event and writing its CSV line (Trailbook's
    // own functions), but no task, no part buffer and no R2 upload; /read-format-upload also
    // writes those bytes to R2 as the export does, in PART_SIZE parts of one multipart upload
    // (then deletes the file), with no task, checkpoint or part carried between steps.
    const { shard, pn } = (await request.json()) as Read;
    const d1 = database(env, shard);
    const format = url.pathname !== "/read";
    const upload = url.pathname === "/read-format-upload" ? await partUploader(env.FILES) : undefined;
    const encoder = new TextEncoder();
    let after: [number, string] = [Number.MAX_SAFE_INTEGER, ""];
    let rows = 0;
    let bytes = 0;
    for (;;) {
      const page = await d1
        .prepare(
          "SELECT id, occurred_at, data, received_at, lower(hex(hash)) AS hash FROM events WHERE pn = ?1 AND (occurred_at, id) < (?2, ?3) ORDER BY occurred_at DESC, id DESC LIMIT 1000",
        )
        .bind(pn, after[0], after[1])
        .all<{ id: string; occurred_at: number; data: string; received_at: number; hash: string }>();
      if (format) {
        const encoded = encoder.encode(
          page.results
            .map((r) => csvLine(toStoredEvent({ data: r.data, receivedAt: r.received_at, hash: r.hash })))
            .join(""),
        );
        bytes += encoded.byteLength;
        await upload?.write(encoded);
      } else for (const r of page.results) bytes += r.data.length;
      rows += page.results.length;
      const last = page.results.at(-1);
      if (!last || page.results.length < 1000) break;
      after = [last.occurred_at, last.id];
    }
    await upload?.finish();
    return Response.json({ rows, bytes });
  }
  if (url.pathname === "/exec" && request.method === "POST") {
    // The bench's own statements (migrations, loading, sizes) on DB or a shard.
    const { db, sql, params } = (await request.json()) as { db?: string; sql: string; params?: unknown[] };
    const result = await database(env, db ?? "DB")
      .prepare(sql)
      .bind(...(params ?? []))
      .all();
    return Response.json({ results: result.results, meta: result.meta });
  }
  return new Response("not found", { status: 404 });
}
