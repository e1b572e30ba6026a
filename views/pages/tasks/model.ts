// Background tasks (README "Exports, imports and background tasks"): what the task pages and the
// export pages that follow a task are given.

export type TaskSummary = {
  id: string;
  type: string;
  status: string;
  processed: number;
  total: number | null;
  successCount: number;
  failureCount: number;
  progress: number;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
  label: string;
  /** An import's kind and where it came from: "CSV upload · dashboard", "JSON Lines · API". */
  origin?: string | undefined;
};

/** How long a task ran (or has been running). */
export function duration(task: TaskSummary): string {
  if (!task.startedAt) return "not started";
  const end = task.finishedAt ? Date.parse(task.finishedAt) : Date.parse(task.updatedAt);
  const seconds = Math.max(0, Math.round((end - Date.parse(task.startedAt)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A count as the lists show it. */
export const counted = (n: number) => n.toLocaleString("en-US");
