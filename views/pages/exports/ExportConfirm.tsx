import { Alert } from "../../components/Alert";
import { Choice } from "../../components/FormRow";
import { FilterSummary, type FilterWords } from "../../components/filter-words";
import { projectPage } from "../../layouts/page";

export type ExportConfirmProps = {
  count: number;
  hidden: Record<string, string>;
  description: FilterWords;
  back: string;
  limit: number;
  error?: string | undefined;
};

/** Download on Events: the row count and the filters, the format, and whether it downloads at once. */
export const ExportConfirm = projectPage({
  title: "Download events",
  section: "/exports",
  Body: (props: ExportConfirmProps, { base, time }) => {
    const direct = props.count <= props.limit;
    return (
      <div class="narrow">
        <h1>Download events</h1>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action={`${base}/exports`} class="card stack">
          {Object.entries(props.hidden).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <p>
            <strong>{props.count.toLocaleString("en-US")}</strong>{" "}
            {props.count === 1 ? "event matches" : "events match"}:{" "}
            <span class="filter-words">
              <FilterSummary filters={props.description} time={time} />
            </span>
          </p>
          <fieldset class="row">
            <legend>Format</legend>
            <Choice type="radio" name="format" value="csv" checked label="CSV" />
            <Choice type="radio" name="format" value="jsonl" label="JSON Lines" />
            <Choice name="gzip" value="1" label="gzip" />
          </fieldset>
          <p class="hint">
            {direct
              ? "The file downloads right away."
              : `More than ${props.limit.toLocaleString("en-US")} rows: the export runs in the background and appears under Exports when it is ready.`}
          </p>
          <div class="row">
            <button type="submit" class="fit">
              {direct ? "Download" : "Start export"}
            </button>
            <a class="button secondary fit" href={props.back}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    );
  },
});
