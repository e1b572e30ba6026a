import type { Task } from "../../db/schema";
import type { ServiceContext } from "../context";
import { notify } from "../notifications/notify";

/**
 * Tells the person who started a task that it ended (everyone, when an API key started it):
 * "export ready", "import done" and their failures (DESIGN §7).
 */
export async function notifyTaskEnded(ctx: ServiceContext, task: Task, outcome: "done" | "failed"): Promise<void> {
  if (task.type === "retention") {
    if (outcome === "done") {
      const r = task.result ?? {};
      await notify(
        ctx,
        {
          projectId: task.projectId,
          type: "retention.report",
          title: `Retention removed ${Number(r.deleted_events ?? 0).toLocaleString("en-US")} events`,
          body: `Archived ${Number(r.archived_events ?? 0).toLocaleString("en-US")}; cut-off ${String(r.cutoff ?? "")}.`,
          link: `/p/${task.projectId}/tasks/${task.id}`,
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
        link: `/p/${task.projectId}/tasks/${task.id}`,
      },
      `${task.id}_failed`,
    );
    return;
  }
  const userId = task.createdBy?.startsWith("usr_") ? task.createdBy : null;
  const base = `/p/${task.projectId}`;
  if (task.type === "export") {
    const rows = Number(task.result?.rows ?? task.processed);
    await notify(
      ctx,
      {
        projectId: task.projectId,
        userId,
        type: outcome === "done" ? "export.ready" : "export.failed",
        title: outcome === "done" ? `Export ready: ${rows.toLocaleString("en-US")} events` : "Export failed",
        body: outcome === "done" ? "Download it from Exports within 7 days." : (task.errors.at(-1)?.message ?? null),
        link: `${base}/exports/${String(task.params.exportId)}`,
      },
      `${task.id}_${outcome}`,
    );
    return;
  }
  await notify(
    ctx,
    {
      projectId: task.projectId,
      userId,
      type: outcome === "done" ? "import.done" : "import.failed",
      title:
        outcome === "done"
          ? `Import of ${String(task.params.name ?? "a file")} done: ${task.successCount.toLocaleString("en-US")} stored, ${task.failureCount.toLocaleString("en-US")} failed`
          : `Import of ${String(task.params.name ?? "a file")} failed`,
      body: outcome === "failed" ? (task.errors.at(-1)?.message ?? null) : null,
      link: `${base}/tasks/${task.id}`,
    },
    `${task.id}_${outcome}`,
  );
}
