import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { legacyEvents, placements, projects, type Task } from "../../db/schema";
import { storeCopies } from "../../db/shard/write";
import type { ProjectContext, ServiceContext } from "../context";
import { notify } from "../notifications/notify";
import { createTask, enqueueStep, type StepResult, type TaskKind, type TaskOutcome } from "../tasks/engine";
import { placeNewProject, projectContext } from "./placement";

// Upgrading a deployment that predates the event shards (README "Storage at scale"): its projects
// have no placement and their events sit in the control database's old `events` table. The
// every-2-minutes cron places each such project on a shard of its region and starts an "adopt"
// task that copies its events there in the order they were stored, hashes, receive times and data
// unchanged (the same rows ingest would write), skipping any already copied, so a repeated step
// doubles nothing. New events go to the shard from the moment the project is placed.

const ADOPT_CHUNK = 500;
const PROJECTS_PER_RUN = 20;

/** Places the projects that have no home yet and starts copying the events they already had. */
export async function adoptLegacyProjects(ctx: ServiceContext, now = Date.now()): Promise<number> {
  const unplaced = await ctx.db
    .select({ project: projects })
    .from(projects)
    .leftJoin(placements, eq(placements.projectId, projects.id))
    .where(isNull(placements.projectId))
    .limit(PROJECTS_PER_RUN);
  for (const { project } of unplaced) {
    const home = await placeNewProject(ctx, project.id, project.region);
    const inserted = await ctx.db
      .insert(placements)
      .values({ projectId: project.id, shard: home.shard, pn: home.pn, updatedAt: now })
      .onConflictDoNothing()
      .returning({ projectId: placements.projectId });
    if (inserted.length === 0) continue;
    const [old] = await ctx.db
      .select({ seq: legacyEvents.seq })
      .from(legacyEvents)
      .where(eq(legacyEvents.projectId, project.id))
      .limit(1);
    if (!old) continue;
    const task = await createTask(await projectContext(ctx, project), { type: "adopt", params: {} }, now);
    await enqueueStep(ctx, task.id);
  }
  return unplaced.length;
}

/** One step: the next rows of the old table, written to the project's shard unless already there. */
export async function adoptStep(ctx: ProjectContext, task: Task): Promise<StepResult> {
  const state = (task.checkpoint ?? { lastSeq: 0, copied: 0 }) as { lastSeq: number; copied: number };
  const e = legacyEvents;
  const rows = await ctx.db
    .select({
      seq: e.seq,
      id: e.id,
      occurredAt: e.occurredAt,
      receivedAt: e.receivedAt,
      data: e.data,
      hash: e.hash,
      category: e.category,
      type: e.type,
      status: e.status,
      source: e.source,
      actorType: e.actorType,
      actorId: e.actorId,
      actorName: e.actorName,
      actorEmail: e.actorEmail,
      entityType: e.entityType,
      organizationId: e.organizationId,
    })
    .from(e)
    .where(and(eq(e.projectId, ctx.project.id), gt(e.seq, state.lastSeq)))
    .orderBy(asc(e.seq))
    .limit(ADOPT_CHUNK);
  const last = rows.at(-1);
  const copied = await storeCopies(ctx.events, rows);
  const next = { lastSeq: last?.seq ?? state.lastSeq, copied: state.copied + copied };
  const done = rows.length < ADOPT_CHUNK;
  return {
    done,
    checkpoint: next,
    processed: next.copied,
    ...(done && { total: next.copied, result: { adopted: next.copied } }),
  };
}

/** Owners hear of a failure (their older events are not all readable yet); a success needs no news. */
async function notifyAdoptEnded(ctx: ServiceContext, task: Task, outcome: TaskOutcome): Promise<void> {
  if (outcome === "done") return;
  await notify(
    ctx,
    {
      projectId: task.projectId,
      type: "project.move_failed",
      title: "Copying this project's older events to their new storage failed",
      body: task.errors.at(-1)?.message ?? null,
      link: `/p/${task.projectId}/tasks/${task.id}`,
    },
    `${task.id}_failed`,
  );
}

/** How many of a project's events are still only in the old table (for tests and operators). */
export async function legacyCount(ctx: ServiceContext, projectId: string): Promise<number> {
  const [row] = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(legacyEvents)
    .where(eq(legacyEvents.projectId, projectId));
  return row?.n ?? 0;
}

/** Adoption as a kind of background task. */
export const adoptTask: TaskKind = { step: adoptStep, notifyEnded: notifyAdoptEnded };
