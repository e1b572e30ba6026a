import { Hono } from "hono";
import { z } from "zod";
import { ExportConfirm } from "../../../views/pages/exports/ExportConfirm";
import { DownloadLink, ExportDetail } from "../../../views/pages/exports/ExportDetail";
import { ExportsPage } from "../../../views/pages/exports/ExportsPage";
import type { ExportSummary } from "../../../views/pages/exports/model";
import { ImportsPage } from "../../../views/pages/imports/ImportsPage";
import type { TaskSummary } from "../../../views/pages/tasks/model";
import { Progress } from "../../../views/pages/tasks/Progress";
import { TaskDetail } from "../../../views/pages/tasks/TaskDetail";
import { TasksPage } from "../../../views/pages/tasks/TasksPage";
import { EXPORT_FORMATS, type ExportRow, TASK_STATUSES, TASK_TYPES, type Task } from "../../db/schema";
import type { ProjectEnv } from "../../env";
import { NotFoundError, ValidationError } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { requirePermission } from "../../middleware/session";
import { EventFilters } from "../../services/events/filters";
import { downloadExport } from "../../services/exports/download";
import { countForExport, exportStatus, getExport, listExports, requestExportNow } from "../../services/exports/request";
import { importFormat, requestImport } from "../../services/imports/request";
import { getTask, listTasks, taskProgress } from "../../services/tasks/view";
import { describeFilters } from "./describe";
import { parseExplorerState, stateQuery, stateToFilters, withOrganizationNames } from "./explorer-state";
import { projectBase, renderPage } from "./frame";

/** The dashboard's upload form reads the file in memory, so it takes less than the API. */
const FORM_IMPORT_MAX_MB = 25;

const IMPORT_KINDS: Record<string, string> = { csv: "CSV", jsonl: "JSON Lines" };

/**
 * An import's kind and source, from what its task already holds: the format it was read as, and
 * who asked for it — an API key (`key_…`) through POST /v1/imports, a member through this upload
 * form (ids carry the prefix of their kind).
 */
export function importOrigin(task: Pick<Task, "params" | "createdBy">): string {
  const kind = IMPORT_KINDS[String(task.params.format)] ?? "Unknown format";
  const by = task.createdBy ?? "";
  const source = by.startsWith("key_") ? "API" : by.startsWith("usr_") ? "dashboard" : "unknown source";
  return source === "dashboard" ? `${kind} upload · dashboard` : `${kind} · ${source}`;
}

function taskSummary(task: Task): TaskSummary {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const label =
    task.type === "export"
      ? "Export"
      : task.type === "retention"
        ? "Retention run"
        : `Import of ${String(task.params.name ?? "a file")}`;
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    processed: task.processed,
    total: task.total,
    successCount: task.successCount,
    failureCount: task.failureCount,
    progress: taskProgress(task),
    createdAt: new Date(task.createdAt).toISOString(),
    startedAt: iso(task.startedAt),
    updatedAt: new Date(task.updatedAt).toISOString(),
    finishedAt: iso(task.finishedAt),
    label,
    origin: task.type === "import" ? importOrigin(task) : undefined,
  };
}

function exportSummary(row: ExportRow, status: string, timeZone: string): ExportSummary {
  return {
    id: row.id,
    status,
    format: row.format,
    gzip: row.gzip,
    filters: describeFilters(row.filters, timeZone, row.createdAt),
    rowCount: row.rowCount,
    bytes: row.bytes,
    createdBy: row.createdByName,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: new Date(row.expiresAt).toISOString(),
  };
}

/** The dashboard's lists show the newest rows; the API pages through all of them. */
const LIST_ROWS = 100;

const ExportForm = z.object({
  format: z.enum(EXPORT_FORMATS, "choose CSV or JSON Lines"),
  gzip: z.enum(["1"]).optional(),
});

export const backgroundPages = new Hono<ProjectEnv>()
  .get("/exports/new", requirePermission("events.export"), async (c) => {
    const { state: parsed } = parseExplorerState(c.req.query(), {}, c.var.project.timezone);
    if (c.var.access.organizationId) delete parsed.filters.organization_id;
    const state = await withOrganizationNames(c.var.ctx, parsed);
    const filters = stateToFilters(state, c.var.project.timezone);
    const back = `${projectBase(c)}/events${stateQuery(state)}`;
    let count = 0;
    let error: string | undefined;
    try {
      count = await countForExport(c.var.ctx, filters);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      error = `The filters cannot be exported: ${e.message}`;
    }
    const hidden = Object.fromEntries(
      Object.entries(filters).filter(([, v]) => typeof v === "string" && v !== ""),
    ) as Record<string, string>;
    const description = describeFilters(hidden, c.var.project.timezone, Date.now());
    return renderPage(c, ExportConfirm, {
      count,
      hidden,
      description,
      back,
      limit: c.var.ctx.config.EXPORT_DIRECT_MAX_ROWS,
      error,
    });
  })
  .post("/exports", requirePermission("events.export"), async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    const { format, gzip, ...rest } = form;
    const choice = ExportForm.safeParse({ format, gzip });
    const filters = EventFilters.safeParse(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== "")));
    if (!choice.success || !filters.success) {
      throw new ValidationError("The export form is not valid; go back to Events and press Download again.", [
        { path: "(form)", message: "invalid" },
      ]);
    }
    // Small exports are made inside this request and download at once; larger ones run as a task.
    const { row, ready } = await requestExportNow(c.var.ctx, {
      format: choice.data.format,
      gzip: choice.data.gzip === "1",
      filters: filters.data,
    });
    const base = `${projectBase(c)}/exports/${row.id}`;
    return c.redirect(ready ? `${base}/download` : base, 303);
  })
  .get("/exports", requirePermission("events.export"), async (c) => {
    const { data: rows } = await listExports(c.var.ctx, { limit: LIST_ROWS });
    const exports = rows.map(({ row, taskStatus }) =>
      exportSummary(row, exportStatus(row, { status: taskStatus }), c.var.project.timezone),
    );
    return renderPage(c, ExportsPage, { exports });
  })
  .get("/exports/:exportId", requirePermission("events.export"), async (c) => {
    const found = await getExport(c.var.ctx, c.req.param("exportId"));
    if (!found) throw new NotFoundError("There is no such export in this project.");
    const { row, task } = found;
    return renderPage(c, ExportDetail, {
      export: exportSummary(row, exportStatus(row, task), c.var.project.timezone),
      task: taskSummary(task),
    });
  })
  .get("/exports/:exportId/download", requirePermission("events.export"), (c) =>
    downloadExport(c.var.ctx, c.req.param("exportId"), c.req.raw),
  )
  .get("/tasks", requirePermission("tasks.read"), async (c) => {
    const type = z.enum(TASK_TYPES).optional().catch(undefined).parse(c.req.query("type"));
    const status = z.enum(TASK_STATUSES).optional().catch(undefined).parse(c.req.query("status"));
    const { data: tasks } = await listTasks(c.var.ctx, { type, status }, { limit: LIST_ROWS });
    const base = `/p/${c.var.project.id}/tasks`;
    const link = (t: string | undefined, s: string | undefined) => {
      const params = new URLSearchParams();
      if (t) params.set("type", t);
      if (s) params.set("status", s);
      const q = params.toString();
      return q ? `${base}?${q}` : base;
    };
    return renderPage(c, TasksPage, {
      tasks: tasks.map(taskSummary),
      typeLinks: [
        { label: "All types", href: link(undefined, status), active: !type },
        ...TASK_TYPES.map((t) => ({ label: t, href: link(t, status), active: t === type })),
      ],
      statusLinks: [
        { label: "Any status", href: link(type, undefined), active: !status },
        ...TASK_STATUSES.map((s) => ({ label: s.replace("_", " "), href: link(type, s), active: s === status })),
      ],
    });
  })
  .get("/tasks/:taskId", requirePermission("tasks.read"), async (c) => {
    const task = await getTask(c.var.ctx, c.req.param("taskId"));
    if (!task) throw new NotFoundError("There is no such task in this project.");
    const link =
      task.type === "export"
        ? { label: "Open the export", href: `/p/${c.var.project.id}/exports/${String(task.params.exportId)}` }
        : task.status === "done"
          ? { label: "See the imported events", href: `/p/${c.var.project.id}/events?range=all` }
          : undefined;
    const exported = task.type === "export" ? await getExport(c.var.ctx, String(task.params.exportId)) : undefined;
    return renderPage(c, TaskDetail, {
      task: taskSummary(task),
      errors: task.errors,
      result: task.result,
      link,
      filters: exported
        ? describeFilters(exported.row.filters, c.var.project.timezone, exported.row.createdAt)
        : undefined,
      format: task.type === "import" ? (task.params.format === "csv" ? "csv" : "jsonl") : undefined,
    });
  })
  .get("/tasks/:taskId/progress", async (c) => {
    const task = await getTask(c.var.ctx, c.req.param("taskId"));
    // Those who may see tasks follow any; others only the export pages they may open, so the
    // progress of an export outside a member's scope is as unknown to them as the export.
    const followed =
      task &&
      (can(c.var.access, "tasks.read") ||
        (task.type === "export" &&
          can(c.var.access, "events.export") &&
          (await getExport(c.var.ctx, String(task.params.exportId)))?.task.id === task.id));
    if (!task || !followed) throw new NotFoundError("There is no such task in this project.");
    const summary = taskSummary(task);
    const finished = task.status === "done" || task.status === "failed";
    const base = projectBase(c);
    // 286 makes htmx stop polling; a finished export also brings its download link.
    const body = String(
      <>
        <Progress task={summary} href={`${base}/tasks/${task.id}/progress`} />
        {finished && task.type === "export" && (
          <DownloadLink base={base} exportId={String(task.params.exportId)} status={task.status} oob />
        )}
      </>,
    );
    return new Response(body, {
      status: finished ? 286 : 200,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  })
  .get("/imports", requirePermission("events.import"), async (c) => {
    const { data: tasks } = await listTasks(c.var.ctx, { type: "import" }, { limit: LIST_ROWS });
    return renderPage(c, ImportsPage, { tasks: tasks.map(taskSummary), maxMb: FORM_IMPORT_MAX_MB });
  })
  .post("/imports", requirePermission("events.import"), async (c) => {
    const render = async (error: string, status: 413 | 415 | 422) => {
      const { data: tasks } = await listTasks(c.var.ctx, { type: "import" }, { limit: LIST_ROWS });
      return renderPage(c, ImportsPage, { tasks: tasks.map(taskSummary), maxMb: FORM_IMPORT_MAX_MB, error }, status);
    };
    const declared = Number(c.req.header("Content-Length") ?? 0);
    if (declared > FORM_IMPORT_MAX_MB * 1024 * 1024 + 64 * 1024)
      return render(
        `The file is larger than ${FORM_IMPORT_MAX_MB} MB; use POST /v1/imports for files up to 100 MB.`,
        413,
      );
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File) || file.size === 0) return render("Choose a non-empty file to import.", 422);
    const format =
      importFormat(file.type) ??
      (/\.csv$/i.test(file.name) ? "csv" : /\.(jsonl|ndjson)$/i.test(file.name) ? "jsonl" : undefined);
    if (!format) return render("The file must be CSV (.csv) or JSON Lines (.jsonl, .ndjson).", 415);
    const task = await requestImport(c.var.ctx, { format, body: file, size: file.size, name: file.name });
    return c.redirect(`/p/${c.var.project.id}/tasks/${task.id}`, 303);
  });
