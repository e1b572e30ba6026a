import { and, eq, inArray, isNull } from "drizzle-orm";
import { OPEN_TASK_STATUSES, type Placement, placements, projects, type Task, tasks } from "../../db/schema";
import { regionOfBinding, shardDatabase } from "../../db/shard/bindings";
import { deleteEvents, readOutbox, type ShardEvent, storeCopies } from "../../db/shard/write";
import { ConflictError, InvariantError, NotFoundError, ValidationError } from "../../lib/errors";
import { filesOf, inProject, type ProjectContext, type ServiceContext } from "../context";
import { relayOutbox } from "../ingest/fanout";
import { forgetProject, KEY_CACHE_MS } from "../key-cache";
import { notify } from "../notifications/notify";
import { forgetSessions } from "../session-cache";
import { createTask, enqueueStep, type StepResult, type TaskKind, type TaskOutcome } from "../tasks/engine";
import { knownShards } from "./directory";
import { allocateNumber } from "./placement";

// Moving a project to another shard (README "Moving a project"), as a background task:
//   copy     the project's events from the old shard to the new one in chunks, in the order they
//            were stored (seq, never reused), hashes, receive times and data unchanged; ingest and
//            reads stay on the old shard, which holds everything;
//   switch   freeze the project on the old shard (its writes now fail whole and wait for the new
//            placement), copy the last rows, point the placement at the new shard;
//   cleanup  delete the old copy in chunks, then the project's number there;
//   files    when the move changes the region, carry its files (exports, archives, digests,
//            uploads) to the new region's bucket.
// A step repeated after a crash does its work again without doubling it: rows already copied are
// skipped by id, deletes and file copies are idempotent.

export const MOVE_CHUNK = 500;
/** "Never": a cutoff after every time, so the old copy's events may all be deleted. */
const END_OF_TIME = 8_640_000_000_000_000;
const FILE_PREFIXES = ["exports", "archives", "digests", "imports"];

type Home = Pick<Placement, "shard" | "pn">;
export type MoveParams = { from: Home; to: Home };
type MoveCheckpoint = {
  phase: "copy" | "switch" | "cleanup" | "files" | "done";
  lastSeq: number;
  copied: number;
  deleted: number;
  files: number;
  /** Where the copy of the public records stopped (they are listed, not deleted, so a cursor is kept). */
  publicCursor?: string | undefined;
  publicDone?: boolean;
  /** When the placement was pointed at the new shard. */
  switchedAt?: number;
};

function databaseOf(ctx: ServiceContext, home: Home): D1Database {
  const d1 = shardDatabase(ctx.env, home.shard);
  if (!d1) throw new InvariantError(`this deployment does not bind ${home.shard}`);
  return d1;
}

type CopiedRow = Omit<ShardEvent, "changedFields" | "metadataKeys"> & { seq: number; id: string };

/** The next rows of a project on a shard, in storing order, with their values named (terms read back). */
async function readChunk(d1: D1Database, pn: number, afterSeq: number, limit: number): Promise<CopiedRow[]> {
  const { results } = await d1
    .prepare(
      `SELECT e.seq, e.id, e.occurred_at AS occurredAt, e.received_at AS receivedAt, lower(hex(e.hash)) AS hash, e.data,
        c.value AS category, t.value AS type, s.value AS status, so.value AS source, at.value AS actorType,
        nullif(a.actor_id, '') AS actorId, nullif(a.name, '') AS actorName, nullif(a.email, '') AS actorEmail,
        et.value AS entityType, o.value AS organizationId, sg.key_id AS signedBy, sg.signature AS signature
      FROM events AS e
      JOIN terms AS c ON c.id = e.category JOIN terms AS t ON t.id = e.type
      LEFT JOIN terms AS s ON s.id = e.status LEFT JOIN terms AS so ON so.id = e.source
      LEFT JOIN terms AS at ON at.id = e.actor_type LEFT JOIN terms AS et ON et.id = e.entity_type
      LEFT JOIN terms AS o ON o.id = e.organization LEFT JOIN actors AS a ON a.id = e.actor
      LEFT JOIN event_signatures AS sg ON sg.seq = e.seq
      WHERE e.pn = ?1 AND e.seq > ?2 ORDER BY e.seq LIMIT ?3`,
    )
    .bind(pn, afterSeq, limit)
    .all<Omit<CopiedRow, "signature"> & { signedBy: string | null; signature: string | null }>();
  return results.map(({ signedBy, signature, ...r }) => ({
    ...r,
    // A customer's signature travels with its event (README "Customer-side signatures").
    signature: signedBy && signature ? { eventId: r.id, keyId: signedBy, signature } : undefined,
  }));
}

/** Copies rows after `afterSeq` to the new shard, skipping those already there; the last seq read and how many were new. */
async function copyChunk(ctx: ServiceContext, params: MoveParams, afterSeq: number) {
  const source = databaseOf(ctx, params.from);
  const target = databaseOf(ctx, params.to);
  const rows = await readChunk(source, params.from.pn, afterSeq, MOVE_CHUNK);
  const last = rows.at(-1);
  if (!last) return { lastSeq: afterSeq, read: 0, copied: 0 };
  const copied = await storeCopies({ d1: target, pn: params.to.pn }, rows);
  return { lastSeq: last.seq, read: rows.length, copied };
}

/** Asks for a project to be moved to `binding`; the move runs as a task. */
export async function startMove(ctx: ServiceContext, projectId: string, binding: string): Promise<Task> {
  const [row] = await ctx.db
    .select({ project: projects, placement: placements })
    .from(projects)
    .innerJoin(placements, eq(placements.projectId, projects.id))
    .where(eq(projects.id, projectId))
    .limit(1);
  if (!row) throw new NotFoundError("No such project.");
  const { project, placement } = row;
  if (placement.targetShard) throw new ConflictError(`This project is already moving to ${placement.targetShard}.`);
  if (placement.shard === binding)
    throw new ValidationError(`The project is already on ${binding}.`, [
      { path: "shard", message: "the project's own shard" },
    ]);
  const shard = (await knownShards(ctx)).find((s) => s.binding === binding);
  if (!shard)
    throw new ValidationError(`This deployment has no shard ${binding}.`, [
      { path: "shard", message: "unknown shard" },
    ]);
  if (shard.state === "draining" || shard.sizeBytes >= ctx.config.SHARD_CLOSE_BYTES) {
    throw new ValidationError(`${binding} takes no projects (${shard.state}, ${shard.sizeBytes} bytes).`, [
      { path: "shard", message: "closed to new projects" },
    ]);
  }
  const [running] = await ctx.db
    .select({ id: tasks.id, type: tasks.type })
    .from(tasks)
    .where(
      and(
        eq(tasks.projectId, projectId),
        inArray(tasks.type, ["retention", "move"]),
        inArray(tasks.status, OPEN_TASK_STATUSES),
      ),
    )
    .limit(1);
  if (running)
    throw new ConflictError(
      `A ${running.type} task of this project is still running (${running.id}); try again when it ends.`,
    );
  const to = { shard: binding, pn: await allocateNumber(ctx, binding, projectId) };
  const home = inProject(ctx, project, placement);
  const params: MoveParams = { from: { shard: placement.shard, pn: placement.pn }, to };
  const task = await createTask(home, { type: "move", params });
  // The placement names the target while the move runs; only one move at a time.
  const claimed = await ctx.db
    .update(placements)
    .set({ targetShard: to.shard, targetPn: to.pn, moveTaskId: task.id, updatedAt: Date.now() })
    .where(and(eq(placements.projectId, projectId), isNull(placements.targetShard)))
    .returning({ projectId: placements.projectId });
  if (claimed.length === 0) {
    await ctx.db.update(tasks).set({ status: "failed", finishedAt: Date.now() }).where(eq(tasks.id, task.id));
    throw new ConflictError("Another move of this project started at the same time.");
  }
  await enqueueStep(ctx, task.id);
  return task;
}

async function switchPlacement(
  ctx: ProjectContext,
  params: MoveParams,
  state: MoveCheckpoint,
): Promise<MoveCheckpoint> {
  const source = databaseOf(ctx, params.from);
  await source.prepare("UPDATE shard_projects SET frozen = 1 WHERE pn = ?1").bind(params.from.pn).run();
  // Frozen: nothing more is written there for the project, so these are the last rows.
  let { lastSeq, copied } = state;
  for (;;) {
    const chunk = await copyChunk(ctx, params, lastSeq);
    lastSeq = chunk.lastSeq;
    copied += chunk.copied;
    if (chunk.read < MOVE_CHUNK) break;
  }
  const region = regionOfBinding(params.to.shard) ?? "default";
  await ctx.db.batch([
    ctx.db
      .update(placements)
      .set({
        shard: params.to.shard,
        pn: params.to.pn,
        targetShard: null,
        targetPn: null,
        moveTaskId: null,
        updatedAt: Date.now(),
      })
      .where(eq(placements.projectId, ctx.project.id)),
    ctx.db.update(projects).set({ region }).where(eq(projects.id, ctx.project.id)),
  ]);
  forgetProject(ctx.project.id);
  forgetSessions();
  return { ...state, phase: "cleanup", lastSeq, copied, switchedAt: Date.now() };
}

/** Deletes one chunk of the old copy; at the end the project's other rows and its number there. */
async function cleanupChunk(
  ctx: ServiceContext,
  projectId: string,
  params: MoveParams,
  state: MoveCheckpoint,
): Promise<MoveCheckpoint> {
  // Other isolates may act on the old placement for KEY_CACHE_MS after the switch (API key checks
  // and dashboard sessions are kept that long, README "Security: what is enforced"): reads there
  // still find every row, and the project's number is not freed for another project while they can.
  const settle = (state.switchedAt ?? 0) + KEY_CACHE_MS - Date.now();
  if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
  const source = databaseOf(ctx, params.from);
  const { pn } = params.from;
  // Deliveries the old shard still owed (a crash before their relay) become sendouts first.
  const owed = (await readOutbox(source, Number.MAX_SAFE_INTEGER, MOVE_CHUNK)).filter((o) => o.projectId === projectId);
  if (owed.length) await relayOutbox(ctx, source, projectId, owed);
  const { results } = await source
    .prepare("SELECT seq FROM events WHERE pn = ?1 LIMIT ?2")
    .bind(pn, MOVE_CHUNK * 2)
    .all<{ seq: number }>();
  if (results.length) {
    await deleteEvents(
      { d1: source, pn },
      results.map((r) => r.seq),
      END_OF_TIME,
    );
    return { ...state, deleted: state.deleted + results.length };
  }
  await source.batch([
    source.prepare("DELETE FROM event_facets WHERE pn = ?1").bind(pn),
    source.prepare("DELETE FROM actor_words WHERE pn = ?1").bind(pn),
    source.prepare("DELETE FROM event_counts WHERE pn = ?1").bind(pn),
    source.prepare("DELETE FROM shard_projects WHERE pn = ?1").bind(pn),
  ]);
  const moved = regionOfBinding(params.from.shard) !== regionOfBinding(params.to.shard);
  return { ...state, phase: moved ? "files" : "done" };
}

/** Carries the project's files to its new region's bucket, a page at a time; the old copies go. */
async function moveFiles(
  ctx: ServiceContext,
  projectId: string,
  params: MoveParams,
  state: MoveCheckpoint,
): Promise<MoveCheckpoint> {
  const from = filesOf(ctx.env, regionOfBinding(params.from.shard) ?? "default");
  const to = filesOf(ctx.env, regionOfBinding(params.to.shard) ?? "default");
  for (const prefix of FILE_PREFIXES) {
    const listed = await from.list({ prefix: `${prefix}/${projectId}/`, limit: 100 });
    if (listed.objects.length === 0) continue;
    for (const object of listed.objects) {
      const body = await from.get(object.key);
      if (!body) continue;
      await to.put(object.key, await body.arrayBuffer(), {
        httpMetadata: body.httpMetadata,
        customMetadata: body.customMetadata,
      });
    }
    await from.delete(listed.objects.map((o) => o.key));
    return { ...state, files: state.files + listed.objects.length };
  }
  // Published records (README "Published roots") are copied but never deleted: a bucket lock keeps
  // the old ones, and a copy is written only where nothing is yet.
  if (!state.publicDone) {
    const listed = await from.list({
      prefix: `public/digests/${projectId}/`,
      limit: 100,
      ...(state.publicCursor ? { cursor: state.publicCursor } : {}),
    });
    for (const object of listed.objects) {
      const body = await from.get(object.key);
      if (!body) continue;
      await to.put(object.key, await body.arrayBuffer(), {
        onlyIf: { etagDoesNotMatch: "*" },
        httpMetadata: body.httpMetadata,
      });
    }
    const publicCursor = listed.truncated ? listed.cursor : undefined;
    return { ...state, files: state.files + listed.objects.length, publicCursor, publicDone: !publicCursor };
  }
  return { ...state, phase: "done" };
}

/** One step of a move. The context is the project's home as the task's message found it. */
export async function moveStep(ctx: ProjectContext, task: Task): Promise<StepResult> {
  const params = task.params as MoveParams;
  const state = (task.checkpoint ?? { phase: "copy", lastSeq: 0, copied: 0, deleted: 0, files: 0 }) as MoveCheckpoint;
  let next: MoveCheckpoint;
  switch (state.phase) {
    case "copy": {
      const chunk = await copyChunk(ctx, params, state.lastSeq);
      next = {
        ...state,
        lastSeq: chunk.lastSeq,
        copied: state.copied + chunk.copied,
        phase: chunk.read < MOVE_CHUNK ? "switch" : "copy",
      };
      break;
    }
    case "switch":
      next = await switchPlacement(ctx, params, state);
      break;
    case "cleanup":
      next = await cleanupChunk(ctx, ctx.project.id, params, state);
      break;
    case "files":
      next = await moveFiles(ctx, ctx.project.id, params, state);
      break;
    default:
      next = state;
  }
  const done = next.phase === "done";
  return {
    done,
    checkpoint: next,
    processed: next.copied,
    ...(done && {
      total: next.copied,
      result: {
        from: params.from.shard,
        to: params.to.shard,
        copied: next.copied,
        deleted: next.deleted,
        files: next.files,
      },
    }),
  };
}

/** The operators are told when a move ends (to the project's owners, who see their data moved). */
async function notifyMoveEnded(ctx: ServiceContext, task: Task, outcome: TaskOutcome): Promise<void> {
  const params = task.params as MoveParams;
  await notify(
    ctx,
    {
      projectId: task.projectId,
      type: outcome === "done" ? "project.moved" : "project.move_failed",
      title:
        outcome === "done" ? `Events moved to ${params.to.shard}` : `Moving the events to ${params.to.shard} failed`,
      body: outcome === "done" ? null : (task.errors.at(-1)?.message ?? null),
      link: `/p/${task.projectId}/tasks/${task.id}`,
    },
    `${task.id}_${outcome}`,
  );
}

/** A failed move leaves the project where it was: the target's number is released for a later try. */
async function releaseMove(ctx: ServiceContext, task: Task): Promise<void> {
  if (task.status !== "failed") return;
  const params = task.params as MoveParams;
  await ctx.db
    .update(placements)
    .set({ targetShard: null, targetPn: null, moveTaskId: null, updatedAt: Date.now() })
    .where(and(eq(placements.projectId, task.projectId), eq(placements.moveTaskId, task.id)));
  const source = shardDatabase(ctx.env, params.from.shard);
  // A move that failed after freezing but before switching must not leave its project frozen.
  const [placement] = await ctx.db.select().from(placements).where(eq(placements.projectId, task.projectId));
  if (source && placement?.shard === params.from.shard) {
    await source.prepare("UPDATE shard_projects SET frozen = 0 WHERE pn = ?1").bind(params.from.pn).run();
  }
}

/** Moves as a kind of background task. */
export const moveTask: TaskKind = { step: moveStep, notifyEnded: notifyMoveEnded, release: releaseMove };
