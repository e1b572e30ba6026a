import { and, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { columnList, prepared } from "../../db/raw";
import {
  archives,
  dataExports,
  ENDED_TASK_STATUSES,
  notificationArchives,
  notifications,
  OPEN_TASK_STATUSES,
  projects,
  prunedWindows,
  type Task,
  tasks,
  webhookAttempts,
  webhookSendouts,
} from "../../db/schema";
import { events } from "../../db/shard/schema";
import { deleteEvents } from "../../db/shard/write";
import type { ProjectContext, ServiceContext } from "../context";
import { LIST_COLUMNS, type ListRow, toStoredEvent } from "../events/query";
import { doneBy, logOwnEvent } from "../ingest/own-events";
import { notify } from "../notifications/notify";
import { projectContext } from "../shards/placement";
import { createTask, enqueueStep, type StepResult, type TaskKind, type TaskOutcome } from "../tasks/engine";

// Retention (README "Retention, archives and integrity"): a daily task per project deletes the
// events older than its period in chunks of CHUNK rows (their FTS and changed-field rows go with
// them, by trigger), archiving each chunk to R2 first when the project asks; then it clears old
// sendouts, notifications, finished tasks and expired export files. A run longer than one step
// continues from its checkpoint.

export const CHUNK = 1000;
const CHUNKS_PER_STEP = 5;
const DAY = 24 * 3600_000;
const HOUR = 3600_000;

type Checkpoint = { phase: "events" | "cleanup"; deleted: number; archived: number; cleaned: Record<string, number> };

async function gzipLines(lines: string[]): Promise<Uint8Array> {
  const stream = new Blob([lines.join("")]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Deletes one chunk (archiving it first). The chunk's digest windows are recorded as pruned in the
 * control database before the shard deletes anything, so verification never meets a silently
 * missing window; the cutoff row written in the shard's batch lets its delete trigger allow
 * exactly this delete.
 */
async function deleteChunk(
  ctx: ProjectContext,
  cutoff: number,
  archive: boolean,
): Promise<{ deleted: number; archived: number }> {
  const { files, db, d1, project } = ctx;
  const shard = ctx.events;
  const results = await shard.db.all<ListRow & { seq: number }>(
    sql`SELECT ${events.seq} AS seq, ${LIST_COLUMNS} FROM ${events}
      WHERE ${events.pn} = ${shard.pn} AND ${events.occurredAt} < ${cutoff}
      ORDER BY ${events.occurredAt}, ${events.id} LIMIT ${CHUNK}`,
  );
  const [first] = results;
  const last = results.at(-1);
  if (!first || !last) return { deleted: 0, archived: 0 };
  let archived = 0;
  if (archive) {
    const body = await gzipLines(results.map((r) => `${JSON.stringify(toStoredEvent(r))}\n`));
    // Named by the chunk's first and last events: a repeated step overwrites the same object.
    const fileKey = `archives/${project.id}/${dayOf(first.occurredAt)}/${first.id}-${last.id}.jsonl.gz`;
    await files.put(fileKey, body, {
      httpMetadata: { contentType: "application/gzip" },
      customMetadata: { project: project.id, events: String(results.length) },
    });
    await db
      .insert(archives)
      .values({
        projectId: project.id,
        fileKey,
        day: dayOf(first.occurredAt),
        eventCount: results.length,
        bytes: body.byteLength,
        createdAt: Date.now(),
      })
      .onConflictDoNothing();
    archived = results.length;
  }
  // The digest windows these events were received in can no longer be recomputed: say so.
  const windows = JSON.stringify([...new Set(results.map((r) => Math.floor(r.receivedAt / HOUR) * HOUR))]);
  await d1.batch([
    prepared(
      d1,
      sql`INSERT OR IGNORE INTO ${prunedWindows} (${columnList(prunedWindows.projectId, prunedWindows.windowStart)}) SELECT ${project.id}, value FROM json_each(${windows})`,
    ),
  ]);
  await deleteEvents(
    shard,
    results.map((r) => r.seq),
    cutoff,
  );
  return { deleted: results.length, archived };
}

/** Old operational records go too; export files are removed once the export has expired. */
async function cleanup(ctx: ProjectContext, cutoff: number, now: number): Promise<Record<string, number>> {
  const { files, db, project } = ctx;
  const oldSendouts = await db
    .select({ id: webhookSendouts.id })
    .from(webhookSendouts)
    .where(and(eq(webhookSendouts.projectId, project.id), lt(webhookSendouts.createdAt, cutoff)))
    .limit(500);
  const sendoutIds = oldSendouts.map((s) => s.id);
  for (let i = 0; i < sendoutIds.length; i += 90) {
    const ids = sendoutIds.slice(i, i + 90);
    await db.batch([
      db.delete(webhookAttempts).where(inArray(webhookAttempts.sendoutId, ids)),
      db.delete(webhookSendouts).where(inArray(webhookSendouts.id, ids)),
    ]);
  }
  const oldNotifications = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.projectId, project.id), lt(notifications.createdAt, cutoff)))
    .limit(500);
  const notificationIds = oldNotifications.map((n) => n.id);
  for (let i = 0; i < notificationIds.length; i += 90) {
    const ids = notificationIds.slice(i, i + 90);
    await db.batch([
      db.delete(notificationArchives).where(inArray(notificationArchives.notificationId, ids)),
      db.delete(notifications).where(inArray(notifications.id, ids)),
    ]);
  }
  const oldTasks = await db
    .delete(tasks)
    .where(
      and(
        eq(tasks.projectId, project.id),
        inArray(tasks.status, ENDED_TASK_STATUSES),
        lt(tasks.createdAt, cutoff),
        isNotNull(tasks.finishedAt),
      ),
    )
    .returning({ id: tasks.id });
  const expired = await db
    .select({ id: dataExports.id, fileKey: dataExports.fileKey })
    .from(dataExports)
    .where(and(eq(dataExports.projectId, project.id), lt(dataExports.expiresAt, now)))
    .limit(500);
  if (expired.length) await files.delete(expired.map((e) => e.fileKey));
  return {
    sendouts: sendoutIds.length,
    notifications: notificationIds.length,
    tasks: oldTasks.length,
    export_files: expired.length,
  };
}

export async function retentionStep(ctx: ProjectContext, task: Task): Promise<StepResult> {
  const { project } = ctx;
  const cutoff = Number(task.params.cutoff);
  const archive = task.params.archive === true;
  const state = (task.checkpoint ?? { phase: "events", deleted: 0, archived: 0, cleaned: {} }) as Checkpoint;
  if (state.phase === "events") {
    let deleted = state.deleted;
    let archived = state.archived;
    for (let i = 0; i < CHUNKS_PER_STEP; i++) {
      const chunk = await deleteChunk(ctx, cutoff, archive);
      deleted += chunk.deleted;
      archived += chunk.archived;
      if (chunk.deleted < CHUNK)
        return { done: false, checkpoint: { ...state, phase: "cleanup", deleted, archived }, processed: deleted };
    }
    return { done: false, checkpoint: { ...state, deleted, archived }, processed: deleted };
  }
  const now = Date.now();
  const cleaned = await cleanup(ctx, cutoff, now);
  const result = {
    cutoff: new Date(cutoff).toISOString(),
    deleted_events: state.deleted,
    archived_events: state.archived,
    ...cleaned,
  };
  await logOwnEvent(ctx, [project], {
    category: "activity",
    type: "retention.completed",
    status: "success",
    summary: `Retention removed ${state.deleted.toLocaleString("en-US")} events older than ${project.retentionDays} days`,
    ...doneBy(ctx, { kind: "system", name: "retention" }),
    entity: { type: "task", id: task.id },
    metadata: result,
  });
  return {
    done: true,
    checkpoint: { ...state, cleaned },
    processed: state.deleted,
    total: state.deleted,
    success: state.deleted,
    result,
  };
}

/** The daily cron: one retention task per project, unless one is still running. */
export async function startRetention(ctx: ServiceContext, now = Date.now()): Promise<number> {
  const { db } = ctx;
  const all = await db.select().from(projects);
  let started = 0;
  for (const project of all) {
    // A move copies the project's events by storing order: no deletes while it runs.
    const [running] = await db
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        and(
          eq(tasks.projectId, project.id),
          inArray(tasks.type, ["retention", "move"]),
          inArray(tasks.status, OPEN_TASK_STATUSES),
        ),
      )
      .limit(1);
    if (running) continue;
    const task = await createTask(
      await projectContext(ctx, project),
      { type: "retention", params: { cutoff: now - project.retentionDays * DAY, archive: project.archiveEnabled } },
      now,
    );
    await enqueueStep(ctx, task.id);
    started++;
  }
  return started;
}

/** Each run reports what it removed, to those who may see tasks; a failed run says so. */
async function notifyRetentionEnded(ctx: ServiceContext, task: Task, outcome: TaskOutcome): Promise<void> {
  const link = `/p/${task.projectId}/tasks/${task.id}`;
  if (outcome === "done") {
    const r = task.result ?? {};
    await notify(
      ctx,
      {
        projectId: task.projectId,
        type: "retention.report",
        title: `Retention removed ${Number(r.deleted_events ?? 0).toLocaleString("en-US")} events`,
        body: `Archived ${Number(r.archived_events ?? 0).toLocaleString("en-US")}; cut-off ${String(r.cutoff ?? "")}.`,
        link,
      },
      `${task.id}_report`,
    );
    return;
  }
  await notify(
    ctx,
    {
      projectId: task.projectId,
      type: "retention.failed",
      title: "The retention run failed",
      body: task.errors.at(-1)?.message ?? null,
      link,
    },
    `${task.id}_failed`,
  );
}

/** Retention runs as a kind of background task. */
export const retentionTask: TaskKind = { step: retentionStep, notifyEnded: notifyRetentionEnded };
