import { DataTable } from "../../components/DataTable";
import { BackLink, DetailList } from "../../components/DetailList";
import { projectPage } from "../../layouts/page";
import { duration, type TaskSummary, when } from "./model";
import { Progress } from "./Progress";

export type TaskDetailProps = {
  task: TaskSummary;
  errors: { line?: number | undefined; message: string }[];
  result: Record<string, unknown> | null;
  link?: { label: string; href: string } | undefined;
};

export const TaskDetail = projectPage({
  title: "Task",
  section: "/tasks",
  Body: ({ task: t, errors, result, link }: TaskDetailProps, { project }) => {
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
              ["Created", when(t.createdAt)],
              ["Started", when(t.startedAt)],
              ["Last update", when(t.updatedAt)],
              ["Finished", when(t.finishedAt)],
              ["Processing time", duration(t)],
              result && ["Result", JSON.stringify(result), "mono"],
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
              { header: "Reason", cell: (e) => e.message },
            ]}
          />
        )}
      </>
    );
  },
});
