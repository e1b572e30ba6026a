import { COUNT_DAY_MS } from "../../db/schema";
import { ConflictError } from "../../lib/errors";
import { sensitiveKeyMatcher } from "../../lib/redact";
import { toIso } from "../../lib/time";
import type { ProjectContext } from "../context";
import { checkFailedSignIns } from "../security/rules";
import { type Endpoint, endpointsStatement, enqueueDeliveries, fanoutStatements } from "../webhooks/fanout";
import { type PreparedEvent, prepareEvent } from "./prepare";
import type { EventInput, IngestResult } from "./schema";

/**
 * Each bulk INSERT reads its rows from one JSON array parameter through json_each, so a batch of
 * 1,000 events is a handful of statements instead of 250 four-row inserts (D1 allows 100 bound
 * parameters per statement but 2 MB per string). Chunks of 500,000 characters stay under 2 MB even when every character takes three bytes.
 */
const CHUNK_MAX_CHARS = 500_000;

const INSERT_SQL = `INSERT INTO events (project_id, received_at, id, occurred_at, data, hash,
  category, type, action, status, source, actor_type, actor_id, actor_name, actor_email,
  entity_type, entity_id, organization_id, request_id, job_id, request_method, request_path, status_code)
SELECT ?1, ?2, value ->> 0, value ->> 1, value ->> 2, value ->> 3,
  value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12,
  value ->> 13, value ->> 14, value ->> 15, value ->> 16, value ->> 17, value ->> 18, value ->> 19, value ->> 20
FROM json_each(?3)`;

/** event_counts gains each day's new events (see src/db/schema/events.ts); day 0 also holds times before 1970. */
const COUNT_SQL = `INSERT INTO event_counts (project_id, day, n)
SELECT ?1, value ->> 0, value ->> 1 FROM json_each(?2) WHERE true
ON CONFLICT (project_id, day) DO UPDATE SET n = n + excluded.n`;

type Existing = { id: string; occurred_at: number; received_at: number; hash: string };

export type RecordedEvent = IngestResult & { data: string };

/**
 * The ids of this call already stored, and the project's enabled webhook endpoints, in one round
 * trip: a single event's ingest is a few D1 round trips, so each one counts.
 */
async function readBeforeInsert(
  db: D1Database,
  projectId: string,
  ids: string[],
): Promise<{ existing: Map<string, Existing>; endpoints: Endpoint[] }> {
  const [stored, enabled] = await db.batch<Existing | Endpoint>([
    db
      .prepare(
        "SELECT id, occurred_at, received_at, hash FROM events WHERE project_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
      )
      .bind(projectId, JSON.stringify(ids)),
    endpointsStatement(db, projectId),
  ]);
  return {
    existing: new Map(((stored?.results ?? []) as Existing[]).map((r) => [r.id, r])),
    endpoints: (enabled?.results ?? []) as Endpoint[],
  };
}

function insertStatements(db: D1Database, projectId: string, receivedAt: number, rows: PreparedEvent[]) {
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    statements.push(db.prepare(INSERT_SQL).bind(projectId, receivedAt, `[${chunk.join(",")}]`));
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    const json = JSON.stringify([row.id, row.occurredAt, row.data, row.hash, ...row.columns]);
    if (size + json.length > CHUNK_MAX_CHARS) flush();
    chunk.push(json);
    size += json.length + 1;
  }
  flush();
  // One statement for the days of the whole call, in the same batch: counted exactly when stored.
  const days = new Map<number, number>();
  for (const row of rows) {
    const day = Math.floor(Math.max(row.occurredAt, 0) / COUNT_DAY_MS);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  statements.push(db.prepare(COUNT_SQL).bind(projectId, JSON.stringify([...days])));
  return statements;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/i.test(error.message);
}

/** `batch`: the inputs are a batch body, so error paths name their index (`events[2].type`). */
export type RecordOptions = { batch: boolean };

/**
 * Stores events in the context's project atomically, all or nothing, idempotent on `id` (DESIGN
 * §3): an id already stored with the same content answers `duplicate: true`; with other content
 * the whole call is a 409. Resolves only once the rows are committed; their webhook deliveries are
 * queued after that (the sweep cron sends any whose message was lost).
 */
export async function recordEvents(
  ctx: ProjectContext,
  inputs: EventInput[],
  options: RecordOptions,
): Promise<RecordedEvent[]> {
  try {
    return await recordOnce(ctx, inputs, options);
  } catch (error) {
    // Another request stored one of these ids between our lookup and our insert: the batch rolled
    // back as a whole, and a second pass sees that row and answers duplicate or conflict.
    if (!isUniqueViolation(error)) throw error;
    return recordOnce(ctx, inputs, options);
  }
}

async function recordOnce(
  ctx: ProjectContext,
  inputs: EventInput[],
  { batch }: RecordOptions,
): Promise<RecordedEvent[]> {
  const { d1: db, project } = ctx;
  const receivedAt = Date.now();
  const isSensitive = sensitiveKeyMatcher(project.redactionKeys);
  const pathOf = (i: number) => (batch ? `events[${i}]` : "");
  const prepared = await Promise.all(
    inputs.map((input, i) => prepareEvent(input, { receivedAt, isSensitive, path: pathOf(i) })),
  );
  const conflict = (i: number, why: string) => {
    const path = pathOf(i) ? `${pathOf(i)}.id` : "id";
    return new ConflictError(`${path}: ${why}; nothing was stored`, [{ path, message: why }]);
  };

  const { existing, endpoints } = await readBeforeInsert(
    db,
    project.id,
    prepared.map((p) => p.id),
  );
  const results: RecordedEvent[] = [];
  const toInsert: PreparedEvent[] = [];
  const firstInBatch = new Map<string, PreparedEvent>();
  for (const [i, event] of prepared.entries()) {
    const stored = existing.get(event.id);
    if (stored) {
      // A retry without occurred_at must compare against the time the first attempt stored.
      const input = inputs[i] as EventInput;
      const again =
        input.occurred_at === undefined
          ? await prepareEvent(input, {
              receivedAt,
              isSensitive,
              path: pathOf(i),
              defaultOccurredAt: stored.occurred_at,
            })
          : event;
      if (again.hash !== stored.hash) throw conflict(i, `event "${event.id}" already exists with different content`);
      results.push({
        id: event.id,
        hash: stored.hash,
        received_at: toIso(stored.received_at),
        duplicate: true,
        data: again.data,
      });
      continue;
    }
    const earlier = firstInBatch.get(event.id);
    if (earlier) {
      if (earlier.hash !== event.hash)
        throw conflict(i, `id "${event.id}" appears earlier in this batch with different content`);
      results.push({
        id: event.id,
        hash: event.hash,
        received_at: toIso(receivedAt),
        duplicate: true,
        data: event.data,
      });
      continue;
    }
    firstInBatch.set(event.id, event);
    toInsert.push(event);
    results.push({
      id: event.id,
      hash: event.hash,
      received_at: toIso(receivedAt),
      duplicate: false,
      data: event.data,
    });
  }

  if (toInsert.length > 0) {
    // Sendouts are written in the same batch as their events: stored together or not at all.
    const fanout = fanoutStatements(db, project.id, endpoints, toInsert, receivedAt);
    await db.batch([...insertStatements(db, project.id, receivedAt, toInsert), ...fanout.statements]);
    if (fanout.ids.length) {
      await enqueueDeliveries(ctx, fanout.ids).catch((error: unknown) =>
        console.error("webhook enqueue failed; the sweep will send them", error),
      );
    }
    // Monitoring must never make a stored event look unstored: its failures are only logged.
    await checkFailedSignIns(ctx, toInsert).catch((error: unknown) =>
      console.error("security rule check failed", error),
    );
  }
  return results;
}
