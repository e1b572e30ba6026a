import { TaskStatus } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { FilterSummary } from "../../components/filter-words";
import { At } from "../../components/time";
import { projectPage } from "../../layouts/page";
import { type ExportSummary, formatText, size } from "./model";

/** Every export the member may see, newest first, each downloadable while it is kept. */
export const ExportsPage = projectPage({
  title: "Exports",
  section: "/exports",
  Body: ({ exports }: { exports: ExportSummary[] }, { base: root, time }) => {
    const base = `${root}/exports`;
    return (
      <>
        <h1>Exports</h1>
        <DataTable
          rows={exports}
          empty={{ title: "No exports yet.", hint: "Use Download on the Events page to export what its filters show." }}
          columns={[
            {
              header: "Created",
              class: "nowrap",
              cell: (e) => (
                <a href={`${base}/${e.id}`}>
                  <At at={e.createdAt} time={time} />
                </a>
              ),
            },
            { header: "By", cell: (e) => e.createdBy },
            { header: "Filters", cell: (e) => <FilterSummary filters={e.filters} time={time} /> },
            { header: "Format", cell: formatText },
            { header: "Rows", cell: (e) => (e.rowCount === null ? "—" : e.rowCount.toLocaleString("en-US")) },
            { header: "Size", cell: (e) => size(e.bytes) },
            { header: "Status", cell: (e) => <TaskStatus status={e.status} /> },
            {
              header: "",
              cell: (e) =>
                e.status === "done" && (
                  <a href={`${base}/${e.id}/download`} hx-boost="false">
                    Download
                  </a>
                ),
            },
          ]}
        />
      </>
    );
  },
});
