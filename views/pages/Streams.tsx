import { Badge, type Tone } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { BackLink, DetailList } from "../components/DetailList";
import { Flash, OneTimeSecret } from "../components/Flash";
import { Choice, FormRow, Submit } from "../components/FormRow";
import { ConfirmCard, PostButton } from "../components/PostButton";
import { At, type TimeView } from "../components/time";
import { projectPage } from "../layouts/page";

// Settings → Log streams (README "Log streams"): each stream's destination, filter, format and
// state, with its health (last delivery, lag, last error) and the actions.

type Messages = { error?: string | undefined; success?: string | undefined };

export type StreamRow = {
  id: string;
  name: string;
  type: string;
  endpoint: string;
  filter: string;
  format: string;
  state: string;
  disabledReason: string | null;
  lastDeliveredAt: string | null;
  deliveredEvents: number;
  lagEvents: number;
  /** Lag is counted up to this many events. */
  lagCap: number;
  lagSeconds: number;
  lastError: string | null;
  lastErrorAt: string | null;
  failingSince: string | null;
  lastTestAt: string | null;
  lastTestResult: string | null;
  cursor: string;
};

/** What the form shows (secrets never: an empty secret field keeps the stored one). */
export type StreamFormValues = Record<string, string | boolean>;

export const DESTINATION_LABELS: Record<string, string> = {
  splunk_hec: "Splunk HTTP Event Collector",
  datadog: "Datadog logs",
  s3: "S3-compatible storage (S3, R2, …)",
  https: "HTTPS (signed like webhooks)",
};

const STATE_TONES: Record<string, Tone> = { active: "ok", paused: "warn", disabled: "bad" };

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export function lagText(s: Pick<StreamRow, "lagEvents" | "lagCap" | "lagSeconds">): string {
  if (s.lagEvents === 0) return "up to date";
  const events = s.lagEvents >= s.lagCap ? `${s.lagCap.toLocaleString("en-US")}+` : s.lagEvents.toLocaleString("en-US");
  return `${events} event${s.lagEvents === 1 ? "" : "s"} · ${duration(s.lagSeconds)}`;
}

export function StreamState({
  stream,
  time,
}: {
  stream: Pick<StreamRow, "state" | "disabledReason" | "failingSince">;
  time: TimeView;
}) {
  return (
    <>
      <Badge tone={STATE_TONES[stream.state] ?? "info"} class="stream-state">
        {stream.state}
      </Badge>
      {stream.failingSince && stream.state === "active" && (
        <div class="muted">
          failing since <At at={stream.failingSince} time={time} />
        </div>
      )}
      {stream.disabledReason && <div class="muted">{stream.disabledReason}</div>}
    </>
  );
}

const text = (v: StreamFormValues, k: string) => (typeof v[k] === "string" ? (v[k] as string) : "");
const checked = (v: StreamFormValues, k: string, fallback: boolean) =>
  typeof v[k] === "boolean" ? (v[k] as boolean) : fallback;

/** The stream's fields; the destination's fieldset follows the chosen type (CSS `:has`, all shown without it). */
function StreamFields({ values, editing }: { values: StreamFormValues; editing: boolean }) {
  const type = text(values, "type") || "https";
  const secretHint = editing ? "Leave empty to keep the current one." : undefined;
  return (
    <>
      <div class="row">
        <FormRow label="Name">
          <input
            name="name"
            required
            maxlength={100}
            value={text(values, "name")}
            placeholder="e.g. Splunk (security)"
          />
        </FormRow>
        <FormRow label="Destination">
          <select name="type">
            {Object.entries(DESTINATION_LABELS).map(([value, label]) => (
              <option value={value} selected={value === type}>
                {label}
              </option>
            ))}
          </select>
        </FormRow>
        <FormRow label="Format">
          <select name="format">
            <option value="trailbook" selected={text(values, "format") !== "ocsf"}>
              Trailbook JSON
            </option>
            <option value="ocsf" selected={text(values, "format") === "ocsf"}>
              OCSF 1.3.0
            </option>
          </select>
        </FormRow>
      </div>
      <FormRow
        label="Filter"
        hint="Search syntax, as in the explorer: category:auth,configuration -source:api. Empty streams every event."
      >
        <input name="filter" maxlength={2000} value={text(values, "filter")} />
      </FormRow>
      <fieldset class="destination" data-type="splunk_hec">
        <legend>Splunk HTTP Event Collector</legend>
        <div class="row">
          <FormRow label="HEC URL" hint="https://splunk.example.com:8088 — the event endpoint is added.">
            <input name="splunk_url" type="url" maxlength={2000} value={text(values, "splunk_url")} />
          </FormRow>
          <FormRow label="HEC token" hint={secretHint}>
            <input name="splunk_token" type="password" autocomplete="off" maxlength={4000} />
          </FormRow>
        </div>
        <div class="row">
          <FormRow label="Index" hint="Optional.">
            <input name="splunk_index" maxlength={80} value={text(values, "splunk_index")} />
          </FormRow>
          <FormRow label="Sourcetype" hint="Optional.">
            <input name="splunk_sourcetype" maxlength={200} value={text(values, "splunk_sourcetype")} />
          </FormRow>
          <Choice name="splunk_gzip" value="1" checked={checked(values, "splunk_gzip", true)} label="gzip" />
        </div>
      </fieldset>
      <fieldset class="destination" data-type="datadog">
        <legend>Datadog logs</legend>
        <div class="row">
          <FormRow label="Site">
            <select name="datadog_site">
              {[
                "datadoghq.com",
                "us3.datadoghq.com",
                "us5.datadoghq.com",
                "datadoghq.eu",
                "ap1.datadoghq.com",
                "ap2.datadoghq.com",
                "uk1.datadoghq.com",
                "ddog-gov.com",
                "us2.ddog-gov.com",
              ].map((site) => (
                <option value={site} selected={site === (text(values, "datadog_site") || "datadoghq.com")}>
                  {site}
                </option>
              ))}
            </select>
          </FormRow>
          <FormRow label="API key" hint={secretHint}>
            <input name="datadog_api_key" type="password" autocomplete="off" maxlength={4000} />
          </FormRow>
        </div>
        <div class="row">
          <FormRow label="Service">
            <input name="datadog_service" maxlength={100} value={text(values, "datadog_service") || "trailbook"} />
          </FormRow>
          <FormRow label="Tags" hint="Optional, key:value comma list.">
            <input name="datadog_tags" maxlength={1000} value={text(values, "datadog_tags")} />
          </FormRow>
        </div>
      </fieldset>
      <fieldset class="destination" data-type="s3">
        <legend>S3-compatible storage</legend>
        <div class="row">
          <FormRow
            label="Endpoint"
            hint="https://s3.eu-west-1.amazonaws.com or https://<account>.r2.cloudflarestorage.com"
          >
            <input name="s3_endpoint" type="url" maxlength={2000} value={text(values, "s3_endpoint")} />
          </FormRow>
          <FormRow label="Region" hint="auto for R2.">
            <input name="s3_region" maxlength={32} value={text(values, "s3_region") || "auto"} />
          </FormRow>
        </div>
        <div class="row">
          <FormRow label="Bucket">
            <input name="s3_bucket" maxlength={63} value={text(values, "s3_bucket")} />
          </FormRow>
          <FormRow label="Prefix" hint="Optional, ending with /.">
            <input name="s3_prefix" maxlength={512} value={text(values, "s3_prefix")} />
          </FormRow>
          <Choice
            name="s3_path_style"
            value="1"
            checked={checked(values, "s3_path_style", false)}
            label="Path-style URLs"
          />
        </div>
        <div class="row">
          <FormRow label="Access key id">
            <input name="s3_access_key_id" maxlength={128} value={text(values, "s3_access_key_id")} />
          </FormRow>
          <FormRow label="Secret access key" hint={secretHint}>
            <input name="s3_secret_access_key" type="password" autocomplete="off" maxlength={4000} />
          </FormRow>
        </div>
      </fieldset>
      <fieldset class="destination" data-type="https">
        <legend>HTTPS</legend>
        <div class="row">
          <FormRow label="URL" hint="https, on a public host. Each batch is signed like our webhooks.">
            <input name="https_url" type="url" maxlength={2000} value={text(values, "https_url")} />
          </FormRow>
          <FormRow label="Body">
            <select name="https_body">
              <option value="jsonl" selected={text(values, "https_body") !== "json_array"}>
                JSON Lines
              </option>
              <option value="json_array" selected={text(values, "https_body") === "json_array"}>
                JSON array
              </option>
            </select>
          </FormRow>
          <Choice name="https_gzip" value="1" checked={checked(values, "https_gzip", false)} label="gzip" />
        </div>
      </fieldset>
    </>
  );
}

export const LogStreams = projectPage({
  title: "Log streams",
  section: "/settings/streams",
  Body: (props: Messages & { streams: StreamRow[]; max: number; values: StreamFormValues }, { project, time }) => {
    const base = `/p/${project.id}/settings/streams`;
    return (
      <>
        <h1>Log streams</h1>
        <p class="muted">
          Every event, as it is stored, pushed to your security tools: Splunk, Datadog, S3 or any HTTPS endpoint. Events
          leave about a minute after they arrive.
        </p>
        <Flash success={props.success} error={props.error} />
        <DataTable
          rows={props.streams}
          empty={{ title: "No log streams yet.", hint: "Add one below to send every event to your SIEM." }}
          columns={[
            {
              header: "Stream",
              cell: (s) => (
                <>
                  <a href={`${base}/${s.id}`}>{s.name}</a>
                  <div class="muted">
                    {DESTINATION_LABELS[s.type] ?? s.type} · {s.format === "ocsf" ? "OCSF" : "Trailbook JSON"}
                  </div>
                </>
              ),
            },
            { header: "State", cell: (s) => <StreamState stream={s} time={time} /> },
            {
              header: "Last delivered",
              class: "nowrap",
              cell: (s) => <At at={s.lastDeliveredAt} time={time} empty="never" />,
            },
            { header: "Lag", class: "nowrap stream-lag", cell: (s) => lagText(s) },
            {
              header: "Last error",
              cell: (s) =>
                s.lastError ? (
                  <>
                    <div>{s.lastError}</div>
                    <div class="muted">
                      <At at={s.lastErrorAt} time={time} />
                    </div>
                  </>
                ) : (
                  "—"
                ),
            },
          ]}
        />
        <h2>Add a log stream</h2>
        {props.streams.length >= props.max ? (
          <p class="muted">A project has at most {props.max} log streams; delete one to add another.</p>
        ) : (
          <form method="post" action={base} class="card stack stream-form">
            <StreamFields values={props.values} editing={false} />
            <Submit>Add log stream</Submit>
          </form>
        )}
      </>
    );
  },
});

export const LogStreamPage = projectPage({
  title: (props: { stream: StreamRow }) => `Log stream ${props.stream.name}`,
  section: "/settings/streams",
  Body: (
    props: Messages & {
      stream: StreamRow;
      values: StreamFormValues;
      secret?: string | undefined;
      replay: StreamFormValues;
    },
    { project, time },
  ) => {
    const s = props.stream;
    const base = `/p/${project.id}/settings/streams/${s.id}`;
    return (
      <>
        <BackLink href={`/p/${project.id}/settings/streams`}>All log streams</BackLink>
        <h1>{s.name}</h1>
        <Flash success={props.success} error={props.error}>
          {props.secret && (
            <OneTimeSecret secret={props.secret}>
              The signing secret (Standard Webhooks) — copy it now, it is not shown again:
            </OneTimeSecret>
          )}
        </Flash>
        <div class="card" id="stream-health">
          <DetailList
            class="detail-list"
            items={[
              ["State", <StreamState stream={s} time={time} />],
              ["Destination", `${DESTINATION_LABELS[s.type] ?? s.type}: ${s.endpoint}`],
              ["Format", s.format === "ocsf" ? "OCSF 1.3.0" : "Trailbook JSON"],
              ["Filter", s.filter || "every event", "mono"],
              ["Last delivered", <At at={s.lastDeliveredAt} time={time} empty="never" />, "stream-delivered"],
              ["Events delivered", s.deliveredEvents.toLocaleString("en-US"), "stream-count"],
              ["Lag", lagText(s), "stream-lag"],
              [
                "Last error",
                s.lastError ? (
                  <>
                    {s.lastError} (<At at={s.lastErrorAt} time={time} />)
                  </>
                ) : (
                  "—"
                ),
                "stream-error",
              ],
              [
                "Last test batch",
                s.lastTestAt ? (
                  <>
                    <At at={s.lastTestAt} time={time} />: {s.lastTestResult ?? ""}
                  </>
                ) : (
                  "never"
                ),
                "stream-test",
              ],
              ["Position", s.cursor, "mono"],
            ]}
          />
          <div class="row">
            {s.state === "active" ? (
              <PostButton action={`${base}/pause`} class="fit" kind="secondary">
                Pause
              </PostButton>
            ) : (
              <PostButton action={`${base}/resume`} class="fit">
                Resume
              </PostButton>
            )}
            <PostButton action={`${base}/test`} class="fit" kind="secondary">
              Send test batch
            </PostButton>
            <div class="fit">
              <a class="button secondary" href={`${base}/delete`}>
                Delete…
              </a>
            </div>
          </div>
        </div>
        <h2>Replay</h2>
        <form method="post" action={`${base}/replay`} class="card row">
          <FormRow label="Deliver again every event received since" hint="In the project's timezone.">
            <input type="datetime-local" name="from" step="1" value={text(props.replay, "from")} />
          </FormRow>
          <FormRow label="or from a feed cursor">
            <input name="cursor" maxlength={500} value={text(props.replay, "cursor")} placeholder="f1.…" />
          </FormRow>
          <Submit fit kind="secondary">
            Replay
          </Submit>
        </form>
        <h2>Settings</h2>
        <form method="post" action={base} class="card stack stream-form">
          <StreamFields values={props.values} editing={true} />
          <Submit>Save</Submit>
        </form>
      </>
    );
  },
});

export const DeleteLogStream = projectPage({
  title: "Delete log stream",
  section: "/settings/streams",
  Body: (props: { stream: Pick<StreamRow, "id" | "name" | "endpoint"> }, { project }) => {
    const base = `/p/${project.id}/settings/streams/${props.stream.id}`;
    return (
      <>
        <BackLink href={base}>{props.stream.name}</BackLink>
        <h1>Delete log stream “{props.stream.name}”?</h1>
        <ConfirmCard action={`${base}/delete`} confirm="Delete log stream" cancel={base}>
          Events stop going to {props.stream.endpoint}. Its position is forgotten: a new stream starts with the events
          received after it is added.
        </ConfirmCard>
      </>
    );
  },
});
