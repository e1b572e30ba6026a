import { and, eq, sql } from "drizzle-orm";
import { isConstraintViolation } from "../../db/errors";
import { columnList, prepared } from "../../db/raw";
import { COUNT_DAY_MS, eventCounts, events } from "../../db/schema";
import { ConflictError } from "../../lib/errors";
import { sensitiveKeyMatcher } from "../../lib/redact";
import { toIso } from "../../lib/time";
import type { ProjectContext } from "../context";
import type { EventInput, IngestResult } from "../events/schema";
import { type Endpoint, endpointsQuery, enqueueDeliveries, fanoutStatements } from "./fanout";
import { type PreparedEvent, prepareEvent } from "./prepare";
import { checkFailedSignIns } from "./security-rules";

/**
 * Each bulk INSERT reads its rows from one JSON array parameter through json_each, so a batch of
 * 1,000 events is a handful of statements instead of 250 four-row inserts (D1 allows 100 bound
 * parameters per statement but 2 MB per string). Chunks of 500,000 characters stay under 2 MB even
 * when every character takes three bytes.
 */
const CHUNK_MAX_CHARS = 500_000;

/** The columns a row of the bulk insert carries, in its JSON order: id, time, data, hash, then `EventColumns`. */
const ROW_COLUMNS = [
  events.id,
  events.occurredAt,
  events.data,
  events.hash,
  events.category,
  events.type,
  events.action,
  events.status,
  events.source,
  events.actorType,
  events.actorId,
  events.actorName,
  events.actorEmail,
  events.entityType,
  events.entityId,
  events.organizationId,
  events.requestId,
  events.jobId,
  events.requestMethod,
  events.requestPath,
  events.statusCode,
];
const ROW_VALUES = sql.raw(ROW_COLUMNS.map((_, i) => `value ->> ${i}`).join(", "));

type Existing = { id: string; occurredAt: number; receivedAt: number; hash: string };

export type RecordedEvent = IngestResult & { data: string };

/**
 * The ids of this call already stored, and the project's enabled webhook endpoints, in one round
 * trip: a single event's ingest is a few D1 round trips, so each one counts.
 */
async function readBeforeInsert(
  ctx: ProjectContext,
  ids: string[],
): Promise<{ existing: Map<string, Existing>; endpoints: Endpoint[] }> {
  const { db, project } = ctx;
  const [stored, endpoints] = await db.batch([
    db
      .select({ id: events.id, occurredAt: events.occurredAt, receivedAt: events.receivedAt, hash: events.hash })
      .from(events)
      .where(
        and(
          eq(events.projectId, project.id),
          sql`${events.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
        ),
      ),
    endpointsQuery(ctx),
  ]);
  return { existing: new Map(stored.map((r) => [r.id, r])), endpoints };
}

function insertStatements(ctx: ProjectContext, receivedAt: number, rows: PreparedEvent[]): D1PreparedStatement[] {
  const { d1, project } = ctx;
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    const json = `[${chunk.join(",")}]`;
    statements.push(
      prepared(
        d1,
        sql`INSERT INTO ${events} (${columnList(events.projectId, events.receivedAt, ...ROW_COLUMNS)}) SELECT ${project.id}, ${receivedAt}, ${ROW_VALUES} FROM json_each(${json})`,
      ),
    );
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
  // event_counts gains each day's new events (see src/db/schema/events.ts); day 0 also holds times before 1970.
  const days = new Map<number, number>();
  for (const row of rows) {
    const day = Math.floor(Math.max(row.occurredAt, 0) / COUNT_DAY_MS);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  const n = sql.identifier(eventCounts.n.name);
  statements.push(
    prepared(
      d1,
      sql`INSERT INTO ${eventCounts} (${columnList(eventCounts.projectId, eventCounts.day, eventCounts.n)}) SELECT ${project.id}, value ->> 0, value ->> 1 FROM json_each(${JSON.stringify([...days])}) WHERE true ON CONFLICT (${columnList(eventCounts.projectId, eventCounts.day)}) DO UPDATE SET ${n} = ${n} + excluded.${n}`,
    ),
  );
  return statements;
}

/** `batch`: the inputs are a batch body, so error paths name their index (`events[2].type`). */
export type RecordOptions = { batch: boolean };

/**
 * Stores events in the context's project atomically, all or nothing, idempotent on `id` (README
 * "Events", Idempotency): an id already stored with the same content answers `duplicate: true`; with other content
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
    if (!isConstraintViolation(error, "UNIQUE")) throw error;
    return recordOnce(ctx, inputs, options);
  }
}

async function recordOnce(
  ctx: ProjectContext,
  inputs: EventInput[],
  { batch }: RecordOptions,
): Promise<RecordedEvent[]> {
  const { project } = ctx;
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
    ctx,
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
              defaultOccurredAt: stored.occurredAt,
            })
          : event;
      if (again.hash !== stored.hash) throw conflict(i, `event "${event.id}" already exists with different content`);
      results.push({
        id: event.id,
        hash: stored.hash,
        received_at: toIso(stored.receivedAt),
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
    const fanout = fanoutStatements(ctx, endpoints, toInsert, receivedAt);
    await ctx.d1.batch([...insertStatements(ctx, receivedAt, toInsert), ...fanout.statements]);
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
