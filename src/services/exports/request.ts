import { and, desc, eq, isNotNull, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { dataExports, EXPORT_FORMATS, type ExportRow, type Task, tasks } from "../../db/schema";
import { InvariantError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { can } from "../../lib/permissions";
import { toValidationError } from "../../lib/validation";
import { type Actor, accessOf, actorId, type ProjectContext, userOf } from "../context";
import { compileFilters, EventFilters, type EventQuery, scopeForAccess } from "../events/filters";
import { countEvents, getEvent } from "../events/query";
import { actorOf, logOwnEvent, sourceOf } from "../ingest/own-events";
import { notify } from "../notifications/notify";
import { enqueueStep, newTask, runTaskInline } from "../tasks/engine";
import { exportTask } from "./run";

export const EXPORT_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export const ExportInput = z
  .strictObject({
    format: z.enum(EXPORT_FORMATS, "format must be csv or jsonl"),
    gzip: z.boolean().default(false),
    filters: EventFilters.default({}),
  })
  .meta({ id: "ExportRequest" });

/** An export's state as shown: derived from its row and its task, never stored. */
export const EXPORT_STATUSES = ["queued", "running", "done", "failed", "expired"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/**
 * What an export by this actor may hold: a member's organisation scope and, for owners and
 * admins, configuration activity; an API key or the system, the whole project.
 */
function scopeOf(actor: Actor): ExportRow["scope"] {
  const access = accessOf(actor);
  if (!access) return { organizationId: null, configuration: true };
  return {
    organizationId: access.organizationId,
    configuration: can(access, "events.read_configuration"),
    ...(access.limits && { limits: access.limits }),
    ...(access.hiddenCategories?.length && { hiddenCategories: access.hiddenCategories }),
  };
}

/** How an export's list and its own event name who made it. */
function requesterName(actor: Actor): string {
  const user = userOf(actor);
  if (user) return user.name || user.email;
  if (actor.kind === "viewer") {
    const { id, name, email } = actor.session.actor;
    return `${name || email || id} (embedded viewer)`;
  }
  return actor.kind === "key" ? `API key "${actor.key.name}"` : "Trailbook";
}

export function exportStatus(row: ExportRow, task: Pick<Task, "status"> | undefined, now = Date.now()): ExportStatus {
  if (task?.status === "failed") return "failed";
  if (row.finishedAt !== null) return row.expiresAt <= now ? "expired" : "done";
  return task?.status === "in_progress" ? "running" : "queued";
}

export function exportView(row: ExportRow, task: Pick<Task, "status"> | undefined, now = Date.now()) {
  return {
    id: row.id,
    status: exportStatus(row, task, now),
    format: row.format,
    gzip: row.gzip,
    filters: row.filters,
    row_count: row.rowCount,
    bytes: row.bytes,
    task_id: row.taskId,
    created_by: row.createdByName,
    created_at: new Date(row.createdAt).toISOString(),
    finished_at: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
    expires_at: new Date(row.expiresAt).toISOString(),
  };
}

/** The events an export of these filters contains, within what it may hold. */
function exportScope(ctx: ProjectContext, filters: EventFilters, scope: ExportRow["scope"]): EventQuery {
  return scopeForAccess(compileFilters(filters, ctx.project.timezone), {
    role: scope.configuration ? "admin" : "member",
    organizationId: scope.organizationId,
    limits: scope.limits,
    hiddenCategories: scope.hiddenCategories,
  });
}

/** Counts what an export of these filters by the actor would contain. */
export async function countForExport(ctx: ProjectContext, filters: EventFilters): Promise<number> {
  return countEvents(ctx, exportScope(ctx, filters, scopeOf(ctx.actor)));
}

/**
 * Records an export and its task, and logs it as an `activity` event. The filters are compiled
 * and counted before anything is written, so a refused one (a 422, or a search the database
 * cannot run) leaves no export, task or `export.created` event behind.
 */
export async function requestExport(
  ctx: ProjectContext,
  input: { format: ExportRow["format"]; gzip: boolean; filters: EventFilters; enqueue: boolean },
  now = Date.now(),
): Promise<{ row: ExportRow; task: Task; total: number }> {
  const { db, project, actor } = ctx;
  // Callers build filters from a request, a form or a compatible API's body; all meet one schema.
  const checked = EventFilters.safeParse(input.filters);
  if (!checked.success) {
    const error = toValidationError(checked.error);
    const errors = error.errors.map((e) => ({ ...e, path: `filters.${e.path}` }));
    throw new ValidationError(`filters.${error.message}`, errors);
  }
  const filters = Object.fromEntries(
    Object.entries(checked.data).filter(([, v]) => typeof v === "string" && v !== ""),
  ) as Record<string, string>;
  const holds = scopeOf(actor);
  const name = requesterName(actor);
  const createdBy = actorId(actor);
  if (!createdBy) throw new InvariantError("an export is requested by a member or an API key");
  const scope = exportScope(ctx, filters, holds);
  const counted = await countEvents(ctx, scope);
  const id = newId("exp", now);
  const eventId = newId("evt", now);
  const extension = `${input.format === "csv" ? "csv" : "jsonl"}${input.gzip ? ".gz" : ""}`;
  await logOwnEvent(ctx, [project], {
    id: eventId,
    category: "activity",
    type: "export.created",
    status: "success",
    summary: `${name} exported events as ${extension}`,
    actor: actorOf(actor),
    source: sourceOf(actor),
    entity: { type: "export", id },
    metadata: { filters, format: input.format, gzip: input.gzip },
  });
  // The export's own event is in its file when the filters match it, so the total counts it too.
  const total = counted + ((await getEvent(ctx, eventId, scope)) ? 1 : 0);
  await flagLargeExport(ctx, total, name, id);
  const task = newTask(ctx, { type: "export", params: { exportId: id }, total }, now);
  const row: ExportRow = {
    id,
    projectId: project.id,
    taskId: task.id,
    format: input.format,
    gzip: input.gzip,
    filters,
    scope: holds,
    fileKey: `exports/${project.id}/${id}.${extension}`,
    rowCount: null,
    bytes: null,
    createdBy,
    createdByName: name,
    createdAt: now,
    finishedAt: null,
    expiresAt: now + EXPORT_LIFETIME_MS,
  };
  // Together or not at all: a task without its export would run and find nothing to write.
  await db.batch([db.insert(tasks).values(task), db.insert(dataExports).values(row)]);
  if (input.enqueue) await enqueueStep(ctx, task.id);
  return { row, task, total };
}

/**
 * Requests an export and, when it holds at most EXPORT_DIRECT_MAX_ROWS rows, makes it inside this
 * call so it downloads at once (`ready`); a larger one, or one that outgrows the call, runs as a
 * background task.
 */
export async function requestExportNow(
  ctx: ProjectContext,
  input: { format: ExportRow["format"]; gzip: boolean; filters: EventFilters },
): Promise<{ row: ExportRow; ready: boolean }> {
  const { row, total } = await requestExport(ctx, { ...input, enqueue: false });
  if (total > ctx.config.EXPORT_DIRECT_MAX_ROWS) {
    await enqueueStep(ctx, row.taskId);
    return { row, ready: false };
  }
  return { row, ready: await runTaskInline(ctx, row.taskId, { export: exportTask }) };
}

/** Far larger than usual: ten times the average of the last 20 exports, and at least 10,000 rows. */
async function flagLargeExport(ctx: ProjectContext, total: number, who: string, id: string): Promise<void> {
  const { project } = ctx;
  const recent = await ctx.db
    .select({ rows: dataExports.rowCount })
    .from(dataExports)
    .where(and(eq(dataExports.projectId, project.id), isNotNull(dataExports.rowCount)))
    .orderBy(desc(dataExports.createdAt))
    .limit(20);
  if (recent.length < 3 || total < 10_000) return;
  const average = recent.reduce((sum, r) => sum + (r.rows ?? 0), 0) / recent.length;
  if (total < 10 * Math.max(average, 1)) return;
  await notify(
    ctx,
    {
      projectId: project.id,
      type: "security.large_export",
      title: `${who} exported ${total.toLocaleString("en-US")} events, ${Math.round(total / Math.max(average, 1))}× the usual`,
      body: `The last ${recent.length} exports averaged ${Math.round(average).toLocaleString("en-US")} rows.`,
      link: `/p/${project.id}/exports/${id}`,
    },
    `large_${id}`,
  );
}

/**
 * Which exports a member may list, follow and download: only those holding nothing beyond what they
 * may see now. A partner viewer's exports are limited to their organisation (`scope`), and an export
 * filtered to exactly their organisation without configuration activity holds only its events too;
 * configuration activity is for owners and admins. `null`: the whole project (an API key).
 */
function visibleTo(actor: Actor): SQL | undefined {
  // An embedded viewer follows only the exports of its own session, which its token's filters bound.
  if (actor.kind === "viewer") return eq(dataExports.createdBy, actor.session.id);
  const access = accessOf(actor);
  if (!access) return undefined;
  const configuration = sql`json_extract(${dataExports.scope}, '$.configuration')`;
  const withoutConfiguration = can(access, "events.read_configuration") ? undefined : sql`${configuration} = 0`;
  if (!access.organizationId) return withoutConfiguration;
  const org = access.organizationId;
  return or(
    and(sql`json_extract(${dataExports.scope}, '$.organizationId') = ${org}`, withoutConfiguration),
    and(sql`json_extract(${dataExports.filters}, '$.organization_id') = ${org}`, sql`${configuration} = 0`),
  );
}

/** The project's exports the actor may see, newest first, a page at a time. */
export async function listExports(
  ctx: ProjectContext,
  page: Page,
): Promise<Paged<{ row: ExportRow; taskStatus: Task["status"] }>> {
  const rows = await ctx.db
    .select({ row: dataExports, taskStatus: tasks.status })
    .from(dataExports)
    .innerJoin(tasks, eq(tasks.id, dataExports.taskId))
    .where(
      and(
        eq(dataExports.projectId, ctx.project.id),
        visibleTo(ctx.actor),
        afterCursor(dataExports.createdAt, dataExports.id, page.cursor),
      ),
    )
    .orderBy(desc(dataExports.createdAt), desc(dataExports.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => [r.row.createdAt, r.row.id]);
}

/** One export of the project, only if the actor may see it. */
export async function getExport(ctx: ProjectContext, id: string) {
  const [found] = await ctx.db
    .select({ row: dataExports, task: tasks })
    .from(dataExports)
    .innerJoin(tasks, eq(tasks.id, dataExports.taskId))
    .where(and(eq(dataExports.projectId, ctx.project.id), eq(dataExports.id, id), visibleTo(ctx.actor)))
    .limit(1);
  return found;
}
