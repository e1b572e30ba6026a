import { TaskStatus } from "../../components/Badge";
import { counted, duration, type TaskSummary } from "./model";

/**
 * The progress of a running task. While it runs it polls its own fragment every 2 s; the answer
 * for a finished task is HTTP 286, which tells htmx to stop polling.
 */
export function Progress({ task, href }: { task: TaskSummary; href: string }) {
  const running = task.status === "enqueued" || task.status === "in_progress";
  const percent = Math.round(task.progress * 100);
  return (
    <div
      id="task-progress"
      class="card"
      hx-get={running ? href : undefined}
      hx-trigger={running ? "every 2s" : undefined}
      hx-swap="outerHTML"
    >
      <div class="toolbar">
        <TaskStatus status={task.status} />
        <span>
          {counted(task.processed)}
          {task.total !== null ? ` of ${counted(task.total)}` : ""} rows · {percent}%
        </span>
      </div>
      <progress max={100} value={percent} aria-label="Progress">
        {percent}%
      </progress>
      <p class="muted">
        {counted(task.successCount)} succeeded, {counted(task.failureCount)} failed · {duration(task)}
      </p>
    </div>
  );
}
