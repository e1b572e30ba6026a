import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ViewerFilters } from "./embed";

export const TASK_TYPES = ["export", "import", "retention", "move", "adopt"] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export const TASK_STATUSES = ["enqueued", "in_progress", "done", "failed"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A task that still has steps to run. */
export const OPEN_TASK_STATUSES = ["enqueued", "in_progress"] as const satisfies readonly TaskStatus[];
/** A task that has ended, one way or the other. */
export const ENDED_TASK_STATUSES = ["done", "failed"] as const satisfies readonly TaskStatus[];

export type TaskError = { line?: number; message: string };

/**
 * Background work (README "Exports, imports and background tasks"): one row per task, advanced a
 * bounded step at a time by the TASKS queue. `step` counts committed steps; a step commits only
 * `WHERE step = <the step it read>`, so a redelivered or concurrent message for the same step
 * changes nothing.
 */
export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    type: text("type", { enum: TASK_TYPES }).notNull(),
    status: text("status", { enum: TASK_STATUSES }).notNull(),
    step: integer("step").notNull().default(0),
    processed: integer("processed").notNull().default(0),
    total: integer("total"),
    successCount: integer("success_count").notNull().default(0),
    failureCount: integer("failure_count").notNull().default(0),
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    checkpoint: text("checkpoint", { mode: "json" }).$type<Record<string, unknown>>(),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    errors: text("errors", { mode: "json" }).$type<TaskError[]>().notNull().default([]),
    lastError: text("last_error"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
    /**
     * When its end was told and its leftovers removed. A process that dies between the commit that
     * ends a task and the notification leaves this empty, and the sweep finishes the job.
     */
    toldAt: integer("told_at"),
  },
  (t) => [
    index("tasks_project").on(t.projectId, t.createdAt),
    index("tasks_project_type").on(t.projectId, t.type, t.createdAt),
    index("tasks_untold").on(t.finishedAt).where(sql`told_at IS NULL AND finished_at IS NOT NULL`),
  ],
);

export type Task = typeof tasks.$inferSelect;

/** The file formats exports write and imports read (an export can be imported again). */
export const EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every export, downloadable again from R2 until it expires. */
export const dataExports = sqliteTable(
  "exports",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    taskId: text("task_id").notNull(),
    format: text("format", { enum: EXPORT_FORMATS }).notNull(),
    gzip: integer("gzip", { mode: "boolean" }).notNull(),
    /** The filters as given (README "Filters" names) and, for a partner viewer, the organisation scope. */
    filters: text("filters", { mode: "json" }).$type<Record<string, string>>().notNull(),
    scope: text("scope", { mode: "json" })
      .$type<{
        organizationId: string | null;
        configuration: boolean;
        limits?: ViewerFilters | undefined;
        hiddenCategories?: string[];
      }>()
      .notNull(),
    fileKey: text("file_key").notNull(),
    rowCount: integer("row_count"),
    bytes: integer("bytes"),
    createdBy: text("created_by").notNull(),
    createdByName: text("created_by_name").notNull(),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("exports_project").on(t.projectId, t.createdAt)],
);

export type ExportRow = typeof dataExports.$inferSelect;
