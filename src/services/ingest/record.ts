import { isConstraintViolation } from "../../db/errors";
import { storeStatements } from "../../db/shard/write";
import { ConflictError, ServiceUnavailableError } from "../../lib/errors";
import { sensitiveKeyMatcher } from "../../lib/redact";
import { toIso } from "../../lib/time";
import { inProject, type ProjectContext } from "../context";
import type { EventInput, IngestResult } from "../events/schema";
import { forgetProject } from "../key-cache";
import { noteShardSize } from "../shards/directory";
import { placementOf } from "../shards/placement";
import { runAfterStore } from "./after-store";
import { type Endpoint, endpointsQuery, owedDeliveries, relayOutbox } from "./fanout";
import { type PreparedEvent, prepareEvent } from "./prepare";
import { checkFailedSignIns } from "./security-rules";

type Existing = { id: string; occurredAt: number; receivedAt: number; hash: string };

export type RecordedEvent = IngestResult & { data: string };

/**
 * The ids of this call already stored (on the project's shard), when asked to look, and the
 * project's enabled webhook endpoints (read with the API key, or else from the control database),
 * side by side: two databases, one round trip's wait.
 */
async function readBeforeInsert(
  ctx: ProjectContext,
  ids: string[],
  lookUp: boolean,
): Promise<{ existing: Map<string, Existing>; endpoints: readonly Endpoint[] }> {
  const { d1, pn } = ctx.events;
  const [stored, endpoints] = await Promise.all([
    lookUp
      ? d1
          .prepare(
            "SELECT id, occurred_at AS occurredAt, received_at AS receivedAt, lower(hex(hash)) AS hash FROM events WHERE pn = ?1 AND id IN (SELECT value FROM json_each(?2))",
          )
          .bind(pn, JSON.stringify(ids))
          .all<Existing>()
          .then((r) => r.results)
      : [],
    ctx.webhookEndpoints ?? endpointsQuery(ctx),
  ]);
  return { existing: new Map(stored.map((r) => [r.id, r])), endpoints };
}

/**
 * `batch`: the inputs are a batch body, so error paths name their index (`events[2].type`).
 * `signature`: the customer's verified signature of the request, kept with each event it stores.
 */
export type RecordOptions = { batch: boolean; signature?: { keyId: string; signature: string } | undefined };

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
  let current = ctx;
  // The first pass writes without looking the ids up, so a new event is one write batch; an id
  // already stored fails that batch as a whole (nothing is written), and the next pass looks.
  let lookUp = false;
  let raced = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await recordOnce(current, inputs, options, lookUp);
    } catch (error) {
      if (isConstraintViolation(error, "UNIQUE")) {
        if (!lookUp) {
          lookUp = true;
          attempt--;
          continue;
        }
        // Another request stored one of these ids between our lookup and our insert: the batch
        // rolled back as a whole, and a second pass sees that row and answers duplicate or conflict.
        if (!raced) {
          raced = true;
          continue;
        }
        throw error;
      }
      // Too slow to commit under the receive time it took (see COMMIT_WINDOW_MS): nothing was
      // written; start again with a new one.
      if (error instanceof LateCommit) {
        if (attempt >= LATE_RETRIES)
          throw new ServiceUnavailableError("Storing these events took too long; nothing was stored. Try again.", 5);
        continue;
      }
      // The project is being moved and its old shard is frozen for the last copy (README "Moving a
      // project"): nothing was written; once the placement names the new shard, write there.
      if (!isConstraintViolation(error, "CHECK")) throw error;
      if (attempt >= MOVE_RETRIES) {
        throw new ServiceUnavailableError(
          "This project's events are being moved to another shard; nothing was stored. Send the same request again in a few seconds.",
          5,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, MOVE_WAIT_MS));
      forgetProject(ctx.project.id);
      const placement = await placementOf(ctx, ctx.project.id);
      if (!placement) throw error;
      current = { ...inProject(ctx, ctx.project, placement), actor: ctx.actor };
    }
  }
}

/**
 * The events feed serves an event once nothing can be committed before it any more (README
 * "Events feed"): ingest commits its batch at most this long after taking the receive time, or
 * not at all. D1 ends a batch after 30 s, so a commit lands at most 50 s after its receive time,
 * under the feed's 60 s settle time.
 */
export const COMMIT_WINDOW_MS = 20_000;
const LATE_RETRIES = 2;
class LateCommit extends Error {
  override readonly name = "LateCommit";
}

/**
 * Every write batch reports its shard's size; writing it to the control database after each one
 * doubled the writes of a single event. An isolate notes a shard's size at most once per
 * SIZE_NOTE_MS, and every time once it has reached SHARD_CLOSE_BYTES, so placement and closing
 * still see it within a second.
 */
export const SIZE_NOTE_MS = 1_000;
const sizeNotedAt = new Map<string, number>();

function sizeWorthNoting(ctx: ProjectContext, binding: string, size: number, now = Date.now()): boolean {
  if (size < ctx.config.SHARD_CLOSE_BYTES && now - (sizeNotedAt.get(binding) ?? 0) < SIZE_NOTE_MS) return false;
  sizeNotedAt.set(binding, now);
  return true;
}

/** How often and how long a write waits for a move's last step before answering 503. */
const MOVE_RETRIES = 8;
const MOVE_WAIT_MS = 250;

async function recordOnce(
  ctx: ProjectContext,
  inputs: EventInput[],
  { batch, signature }: RecordOptions,
  lookUp: boolean,
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
    lookUp,
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
    const { events: store } = ctx;
    if (store.sizeBytes !== undefined && store.sizeBytes >= ctx.config.SHARD_FULL_BYTES) {
      // The next request reads the size again rather than what this isolate remembers of it.
      forgetProject(ctx.project.id);
      throw new ServiceUnavailableError(
        "This project's event storage is full; nothing was stored. Try again later: an operator is adding room.",
        600,
      );
    }
    // The deliveries owed are written in the same batch as their events: stored together or not at all.
    const owed = owedDeliveries(endpoints, toInsert);
    const rows = toInsert.map((e) => ({ ...e, receivedAt, signature: signature && { eventId: e.id, ...signature } }));
    const { statements, outboxStatements } = storeStatements(store.d1, store.pn, rows, owed, receivedAt);
    if (Date.now() - receivedAt > COMMIT_WINDOW_MS) throw new LateCommit();
    const results = await store.d1.batch<{ id: number }>(statements);
    const size = results.at(-1)?.meta.size_after;
    if (typeof size === "number" && sizeWorthNoting(ctx, store.binding, size))
      ctx.waitUntil(noteShardSize(ctx, store.binding, size));
    if (owed.length) {
      const outboxIds = results.slice(results.length - outboxStatements).flatMap((r) => r.results.map((row) => row.id));
      const relayed = owed.map((o, i) => ({ ...o, outboxId: outboxIds[i] ?? 0, createdAt: receivedAt }));
      await relayOutbox(ctx, store.d1, ctx.project.id, relayed).catch((error: unknown) =>
        console.error("webhook relay failed; the sweep will send them", error),
      );
    }
    // Monitoring must never make a stored event look unstored: its failures are only logged.
    await checkFailedSignIns(ctx, toInsert).catch((error: unknown) =>
      console.error("security rule check failed", error),
    );
    // Alert rules of the "any match" kind (README "Alerts") and any other registered check.
    runAfterStore(ctx, toInsert);
  }
  return results;
}
