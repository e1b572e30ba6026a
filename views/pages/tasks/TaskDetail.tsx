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
  /** An import's file format: its errors name CSV columns or JSON fields. */
  format?: "csv" | "jsonl" | undefined;
};

/**
 * An imported event's fields: what each is, in words, and the CSV column it is read from (the
 * columns our CSV export writes; a JSON Lines file names the field itself).
 */
const FIELDS: Record<string, [words: string, column: string]> = {
  id: ["the event's id", "event_id"],
  occurred_at: ["when it occurred", "timestamp"],
  type: ["the event type", "type"],
  category: ["the category", "category"],
  status: ["the status", "status"],
  action: ["the action", "action"],
  summary: ["the summary", "summary"],
  message: ["the message", "message"],
  lifecycle_action: ["the lifecycle label", "lifecycle_action"],
  source: ["the source", "source"],
  organization_id: ["the organisation", "organization_id"],
  job_id: ["the job id", "job_id"],
  "actor.id": ["the actor's id", "user_id"],
  "actor.name": ["the actor's name", "user_name"],
  "actor.email": ["the actor's e-mail address", "user_email"],
  "actor.type": ["the actor's type", "actor_type"],
  "entity.id": ["the entity's id", "entity_id"],
  "entity.type": ["the entity's type", "entity_type"],
  "entity.name": ["the entity's name", "entity_name"],
  "targets.type": ["the target's type", "model_class"],
  "targets.id": ["the target's id", "model_id"],
  "request.id": ["the request id", "request_id"],
  "request.method": ["the request method", "request_method"],
  "request.path": ["the request path", "request_path"],
  "request.controller": ["the request controller", "request_controller"],
  "request.action": ["the request action", "request_action"],
  "request.status_code": ["the response status code", "status_code"],
  changes: ["the changes", "changes"],
  metadata: ["the metadata", "metadata"],
};

const KINDS: Record<string, string> = { number: "a number", string: "text", object: "a JSON object", array: "a list" };

/** The schema's own wording made plain: `Invalid input: expected number, received NaN` → `should be a number`. */
function plainReason(reason: string): string {
  const m = /^Invalid input: expected (\w+), received \w+$/i.exec(reason);
  if (m?.[1]) return `should be ${KINDS[m[1]] ?? m[1]}`;
  return `${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}

/**
 * `actor.email: Invalid email address` → `Column user_email (the actor's e-mail address): invalid
 * email address` for a CSV file, `Field actor.email (…)` for JSON Lines.
 */
export function plainError(message: string, format: "csv" | "jsonl" | undefined): string {
  return message
    .split("; ")
    .map((part) => {
      const m = /^([a-z_][\w.[\]]*): (.+)$/i.exec(part);
      if (!m?.[1] || !m[2]) return part;
      const path = m[1].replace(/\[\d+\]/g, "");
      const known = FIELDS[path];
      const reason = plainReason(m[2]);
      if (!known) return `${format === "csv" ? "Column" : "Field"} ${path}: ${reason}`;
      const [words, column] = known;
      return format === "csv" ? `Column ${column} (${words}): ${reason}` : `Field ${m[1]} (${words}): ${reason}`;
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
  Body: ({ task: t, errors, result, link, filters, format }: TaskDetailProps, { project, time }) => {
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
              t.origin ? ["Kind and source", t.origin] : undefined,
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
              { header: "Reason", cell: (e) => plainError(e.message, format) },
            ]}
          />
        )}
      </>
    );
  },
});
