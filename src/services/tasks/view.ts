import { and, desc, eq, type SQL } from "drizzle-orm";
import { type Task, type TaskStatus, type TaskType, tasks } from "../../db/schema";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import type { ProjectContext } from "../context";

/** A task as the API and dashboard show it. */
export function taskView(task: Task) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    processed: task.processed,
    total: task.total,
    success_count: task.successCount,
    failure_count: task.failureCount,
    errors: task.errors,
    result: task.result,
    created_at: new Date(task.createdAt).toISOString(),
    started_at: iso(task.startedAt),
    updated_at: new Date(task.updatedAt).toISOString(),
    finished_at: iso(task.finishedAt),
  };
}

/** 0–1 for a progress bar: rows of a known total, or the share of the file read. */
export function taskProgress(task: Task): number {
  if (task.status === "done") return 1;
  const fraction = task.checkpoint?.fraction;
  if (typeof fraction === "number") return fraction;
  if (task.total) return Math.min(1, task.processed / task.total);
  return 0;
}

/** A project's tasks, newest first, a page at a time. */
export async function listTasks(
  ctx: ProjectContext,
  filters: { type?: TaskType | undefined; status?: TaskStatus | undefined },
  page: Page,
): Promise<Paged<Task>> {
  const where: (SQL | undefined)[] = [eq(tasks.projectId, ctx.project.id)];
  if (filters.type) where.push(eq(tasks.type, filters.type));
  if (filters.status) where.push(eq(tasks.status, filters.status));
  where.push(afterCursor(tasks.createdAt, tasks.id, page.cursor));
  const rows = await ctx.db
    .select()
    .from(tasks)
    .where(and(...where))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (t) => [t.createdAt, t.id]);
}

export async function getTask(ctx: ProjectContext, id: string): Promise<Task | undefined> {
  const [task] = await ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.projectId, ctx.project.id), eq(tasks.id, id)))
    .limit(1);
  return task;
}
