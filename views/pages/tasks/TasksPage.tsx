import { TaskStatus } from "../../components/Badge";
import { type ChipLink, Chips } from "../../components/Chips";
import { DataTable } from "../../components/DataTable";
import { At } from "../../components/time";
import { projectPage } from "../../layouts/page";
import { counted, type TaskSummary } from "./model";

export const TasksPage = projectPage({
  title: "Background tasks",
  section: "/tasks",
  Body: (props: { tasks: TaskSummary[]; typeLinks: ChipLink[]; statusLinks: ChipLink[] }, { project, time }) => (
    <>
      <h1>Background tasks</h1>
      <Chips label="Type" chips={props.typeLinks} />
      <Chips label="Status" chips={props.statusLinks} />
      <DataTable
        rows={props.tasks}
        empty={{ title: "No tasks match.", hint: "Exports and imports appear here while they run and after." }}
        columns={[
          {
            header: "Created",
            class: "nowrap",
            cell: (t) => (
              <a href={`/p/${project.id}/tasks/${t.id}`}>
                <At at={t.createdAt} time={time} />
              </a>
            ),
          },
          { header: "Type", cell: (t) => t.type },
          { header: "What", cell: (t) => t.label },
          { header: "Status", cell: (t) => <TaskStatus status={t.status} /> },
          {
            header: "Progress",
            cell: (t) => <progress max={100} value={Math.round(t.progress * 100)} aria-label={`${t.label} progress`} />,
          },
          { header: "Succeeded", cell: (t) => counted(t.successCount) },
          { header: "Failed", cell: (t) => counted(t.failureCount) },
        ]}
      />
    </>
  ),
});
