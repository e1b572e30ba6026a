import { type Messages, PageFlash } from "../components/Flash";
import { Choice, FormRow, Submit } from "../components/FormRow";
import { projectPage } from "../layouts/page";

export type EmbeddingValues = {
  allowed_origins: string;
  accent: string;
  mode: string;
  density: string;
  columns: string[];
};

const COLUMNS: [string, string][] = [
  ["event_id", "Event ID"],
  ["request_id", "Request ID"],
  ["job_id", "Job ID"],
  ["entity_id", "Entity ID"],
];

/** Settings → Embedding: who may frame the viewer, how it looks, and ending an organisation's sessions. */
export const Embedding = projectPage({
  title: "Embedding",
  section: "/settings/embedding",
  Body: (props: Messages & { values: EmbeddingValues; origin: string }, { base }) => {
    const action = `${base}/settings/embedding`;
    const v = props.values;
    return (
      <>
        <h1>Embedding</h1>
        <PageFlash {...props} />
        <p class="hint">
          Your product can show each of its customers their own organisation's events: mint a link with{" "}
          <code>POST /v1/viewer-tokens</code> (an admin key) and put it in{" "}
          <code>{`<script src="${props.origin}/embed/viewer.js"></script> <trailbook-viewer src="…url…"></trailbook-viewer>`}</code>
          . Nothing can frame the viewer until its site is listed here.
        </p>
        <form method="post" action={action} class="card stack">
          <FormRow
            label="Sites that may embed the viewer"
            hint="Origins, one per line: https://app.example.com (plain http only for localhost)."
          >
            <textarea name="allowed_origins" rows={3}>
              {v.allowed_origins}
            </textarea>
          </FormRow>
          <FormRow label="Accent colour" hint="#rrggbb; empty for Trailbook's blue.">
            <input name="accent" value={v.accent} maxlength={7} placeholder="#2f5bea" />
          </FormRow>
          <FormRow label="Theme">
            <select name="mode">
              <option value="light" selected={v.mode === "light"}>
                Light
              </option>
              <option value="dark" selected={v.mode === "dark"}>
                Dark
              </option>
            </select>
          </FormRow>
          <FormRow label="Density">
            <select name="density">
              <option value="comfortable" selected={v.density === "comfortable"}>
                Comfortable
              </option>
              <option value="compact" selected={v.density === "compact"}>
                Compact
              </option>
            </select>
          </FormRow>
          <fieldset>
            <legend>Extra columns</legend>
            {COLUMNS.map(([value, label]) => (
              <Choice name="columns" value={value} label={label} checked={v.columns.includes(value)} />
            ))}
          </fieldset>
          <Submit fit>Save</Submit>
        </form>
        <h2>End viewer sessions</h2>
        <form method="post" action={`${action}/revoke`} class="card row">
          <FormRow label="Organisation" hint="Every open viewer of it, and every link not yet opened, stops working.">
            <input name="organization_id" required maxlength={128} placeholder="org_9" />
          </FormRow>
          <Submit kind="danger" fit>
            End sessions
          </Submit>
        </form>
      </>
    );
  },
});
