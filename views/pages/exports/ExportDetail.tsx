import { BackLink, DetailList } from "../../components/DetailList";
import { FilterSummary } from "../../components/filter-words";
import { At } from "../../components/time";
import { projectPage } from "../../layouts/page";
import type { TaskSummary } from "../tasks/model";
import { Progress } from "../tasks/Progress";
import { type ExportSummary, formatText } from "./model";

/**
 * Where an export's file is: its download button once done, or why there is none. The progress
 * fragment sends it again out of band (`oob`) when the export finishes.
 */
export function DownloadLink(props: { base: string; exportId: string; status: string; oob?: boolean }) {
  return (
    <p id="download" hx-swap-oob={props.oob ? "true" : undefined}>
      {props.status === "done" ? (
        <a class="button" href={`${props.base}/exports/${props.exportId}/download`} hx-boost="false">
          Download
        </a>
      ) : props.status === "expired" ? (
        <span class="muted">This export has expired.</span>
      ) : props.status === "failed" ? (
        <span class="muted">This export failed; see its task for the reason.</span>
      ) : (
        <span class="muted">The download appears here when the export is done.</span>
      )}
    </p>
  );
}

export const ExportDetail = projectPage({
  title: "Export",
  section: "/exports",
  Body: ({ export: e, task }: { export: ExportSummary; task: TaskSummary }, { base, time }) => {
    return (
      <>
        <BackLink href={`${base}/exports`}>All exports</BackLink>
        <h1>
          Export <code>{e.id}</code>
        </h1>
        <Progress task={task} href={`${base}/tasks/${task.id}/progress?export=1`} />
        <div class="card">
          <DetailList
            class="detail-list"
            items={[
              ["Filters", <FilterSummary filters={e.filters} time={time} />],
              ["Format", formatText(e)],
              [
                "Requested by",
                <>
                  {e.createdBy}, <At at={e.createdAt} time={time} />
                </>,
              ],
              ["Available until", <At at={e.expiresAt} time={time} />],
            ]}
          />
        </div>
        <DownloadLink base={base} exportId={e.id} status={e.status} />
      </>
    );
  },
});
