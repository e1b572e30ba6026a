import { DataTable } from "../../components/DataTable";
import { BackLink, DetailList } from "../../components/DetailList";
import { FilterSummary, type FilterWords } from "../../components/filter-words";
import { At } from "../../components/time";
import { projectPage } from "../../layouts/page";
import { size } from "../exports/model";
import { counted, duration, type TaskSummary } from "./model";
import { Progress } from "./Progress";

export type TaskDetailProps = {
  task: TaskSummary;
  errors: { line?: number | undefined; message: string }[];
  result: Record<string, unknown> | null;
  link?: { label: string; href: string } | undefined;
  /** An export's filters, in words. */
  filters?: FilterWords | undefined;
};

// An import row's fields by the names of our CSV columns, in words.
const COLUMN_WORDS: Record<string, string> = {
  id: "id",
  type: "type",
  occurred_at: "time it occurred (occurred_at)",
  category: "category",
  status: "status",
  action: "action",
  summary: "summary",
  message: "message",
  source: "source",
  organization_id: "organisation (organization_id)",
  job_id: "job id (job_id)",
  "actor.id": "actor id (actor_id)",
  "actor.email": "actor e-mail (actor_email)",
  "actor.name": "actor name (actor_name)",
  "actor.type": "actor type (actor_type)",
  "entity.id": "entity id (entity_id)",
  "entity.type": "entity type (entity_type)",
  changes: "changes",
  metadata: "metadata",
  request: "request",
};

/** `actor.email: Invalid email address` → `The actor e-mail (actor_email) column: invalid email address`. */
export function plainError(message: string): string {
  return message
    .split("; ")
    .map((part) => {
      const m = /^([a-z_][\w.[\]]*): (.+)$/i.exec(part);
      if (!m?.[1] || !m[2]) return part;
      const path = m[1].replace(/\[\d+\]/g, "");
      const column =
        COLUMN_WORDS[path] ??
        (path.startsWith("request.") ? `request ${path.slice(8).replace(/_/g, " ")}` : path.replace(/[._]/g, " "));
      return `The ${column} column: ${m[2].charAt(0).toLowerCase()}${m[2].slice(1)}`;
    })
    .join("; ");
}

/** What a finished task reports, in words: rows stored and skipped, or the file written. */
function resultText(result: Record<string, unknown>): string {
  const n = (k: string) => (typeof result[k] === "number" ? (result[k] as number) : undefined);
  const parts = [
    n("stored") !== undefined && `${counted(n("stored") ?? 0)} stored`,
    n("duplicates") !== undefined && `${counted(n("duplicates") ?? 0)} already there (skipped)`,
    n("rows") !== undefined && `${counted(n("rows") ?? 0)} rows written`,
    n("deleted") !== undefined && `${counted(n("deleted") ?? 0)} deleted`,
    n("bytes") !== undefined && size(n("bytes") ?? 0),
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : JSON.stringify(result);
}

export const TaskDetail = projectPage({
  title: "Task",
  section: "/tasks",
  Body: ({ task: t, errors, result, link, filters }: TaskDetailProps, { project, time }) => {
    const base = `/p/${project.id}/tasks`;
    return (
      <>
        <BackLink href={base}>All tasks</BackLink>
        <h1>
          {t.label} <code>{t.id}</code>
        </h1>
        <Progress task={t} href={`${base}/${t.id}/progress`} />
        <div class="card">
          <DetailList
            class="detail-list"
            items={[
              filters && ["Filters", <FilterSummary filters={filters} time={time} />],
              ["Created", <At at={t.createdAt} time={time} />],
              ["Started", <At at={t.startedAt} time={time} empty="not yet" />],
              ["Last update", <At at={t.updatedAt} time={time} />],
              ["Finished", <At at={t.finishedAt} time={time} empty="not yet" />],
              ["Processing time", duration(t)],
              result && ["Result", resultText(result)],
            ]}
          />
          {link && (
            <p>
              <a href={link.href}>{link.label}</a>
            </p>
          )}
        </div>
        <h2>Errors</h2>
        {errors.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <DataTable
            rows={errors}
            columns={[
              { header: "Line", cell: (e) => e.line ?? "—" },
              { header: "Reason", cell: (e) => plainError(e.message) },
            ]}
          />
        )}
      </>
    );
  },
});
