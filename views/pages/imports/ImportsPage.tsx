import { Alert } from "../../components/Alert";
import { TaskStatus } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { FormRow, Submit } from "../../components/FormRow";
import { At } from "../../components/time";
import { projectPage } from "../../layouts/page";
import { counted, type TaskSummary } from "../tasks/model";

/** The upload form and the history of imports (README "Exports, imports and background tasks"). */
export const ImportsPage = projectPage({
  title: "Imports",
  section: "/imports",
  Body: (props: { tasks: TaskSummary[]; error?: string | undefined; maxMb: number }, { project, time }) => {
    const base = `/p/${project.id}`;
    return (
      <>
        <h1>Import events</h1>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action={`${base}/imports`} enctype="multipart/form-data" class="card stack">
          <FormRow
            label="File"
            hint={`CSV with the columns of our CSV export, or JSON Lines of events as the API takes them; up to ${props.maxMb} MB here (100 MB through POST /v1/imports). Rows with an id already stored are skipped; invalid rows are listed with their line.`}
          >
            <input type="file" name="file" accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson" required />
          </FormRow>
          <Submit>Upload and import</Submit>
        </form>
        <h2>Import history</h2>
        <DataTable
          rows={props.tasks}
          empty={{ title: "No imports yet." }}
          columns={[
            {
              header: "Created",
              class: "nowrap",
              cell: (t) => (
                <a href={`${base}/tasks/${t.id}`}>
                  <At at={t.createdAt} time={time} />
                </a>
              ),
            },
            { header: "Kind and source", cell: (t) => t.origin ?? "" },
            { header: "File", cell: (t) => t.label },
            { header: "Status", cell: (t) => <TaskStatus status={t.status} /> },
            { header: "Succeeded", cell: (t) => counted(t.successCount) },
            { header: "Failed", cell: (t) => counted(t.failureCount) },
          ]}
        />
      </>
    );
  },
});
