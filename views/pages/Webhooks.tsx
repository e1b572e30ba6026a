import { Alert } from "../components/Alert";
import { Badge, type Tone } from "../components/Badge";
import { type ChipLink, Chips } from "../components/Chips";
import { DataTable } from "../components/DataTable";
import { BackLink, DetailList } from "../components/DetailList";
import { type Messages, PageFlash } from "../components/Flash";
import { Choice, FormRow, Submit } from "../components/FormRow";
import { ConfirmButton, PostButton } from "../components/PostButton";
import { At, type TimeView } from "../components/time";
import { projectPage } from "../layouts/page";

// Webhook endpoints (settings) and sendouts (README "Webhooks").

export type EndpointRow = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
};
export type SendoutRow = {
  id: string;
  endpointUrl?: string | undefined;
  eventId: string;
  type: string;
  requestId: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
};
export type AttemptRow = {
  trigger: string;
  startedAt: string;
  durationMs: number;
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  requestHeaders: Record<string, string>;
};

const TONE: Record<string, Tone> = { sent: "ok", error: "bad", retry: "warn", pending: "info" };

function SendoutStatus({ status }: { status: string }) {
  return <Badge tone={TONE[status] ?? "info"}>{status}</Badge>;
}

function EndpointFields({ endpoint }: { endpoint?: EndpointRow | undefined }) {
  return (
    <>
      <FormRow label="URL" hint="https, on a public host.">
        <input
          name="url"
          type="url"
          required
          maxlength={2000}
          value={endpoint?.url ?? ""}
          placeholder="https://example.com/webhooks/trailbook"
        />
      </FormRow>
      <FormRow label="Description">
        <input name="description" maxlength={500} value={endpoint?.description ?? ""} />
      </FormRow>
      <FormRow
        label="Event types"
        hint="Comma separated: * for all, commission.* for a group, or exact types like payout.created."
      >
        <input name="event_types" required value={endpoint ? endpoint.eventTypes.join(", ") : "*"} />
      </FormRow>
      <Choice name="enabled" value="1" checked={endpoint ? endpoint.enabled : true} label="Enabled" />
    </>
  );
}

export const WebhookEndpoints = projectPage({
  title: "Webhooks",
  section: "/settings/webhooks",
  Body: (props: Messages & { endpoints: EndpointRow[] }, { project, time }) => {
    const base = `/p/${project.id}/settings/webhooks`;
    return (
      <>
        <h1>Webhook endpoints</h1>
        <PageFlash {...props} />
        <DataTable
          rows={props.endpoints}
          empty={{ title: "No endpoints yet.", hint: "Add one below to receive events as they are stored." }}
          columns={[
            {
              header: "URL",
              cell: (e) => (
                <>
                  <a href={`${base}/${e.id}`}>{e.url}</a>
                  {e.description && <div class="muted">{e.description}</div>}
                </>
              ),
            },
            { header: "Event types", class: "mono", cell: (e) => e.eventTypes.join(", ") },
            {
              header: "State",
              cell: (e) => (
                <>
                  {e.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="bad">disabled</Badge>}
                  {e.disabledReason && <div class="muted">{e.disabledReason}</div>}
                  {e.failingSince && (
                    <div class="muted">
                      failing since <At at={e.failingSince} time={time} />
                    </div>
                  )}
                </>
              ),
            },
          ]}
        />
        <h2>Add an endpoint</h2>
        <form method="post" action={base} class="card stack">
          <EndpointFields />
          <Submit>Add endpoint</Submit>
        </form>
      </>
    );
  },
});

export const WebhookEndpointPage = projectPage({
  title: "Webhook endpoint",
  section: "/settings/webhooks",
  Body: (props: Messages & { endpoint: EndpointRow; sendoutsHref: string }, { project }) => {
    const base = `/p/${project.id}/settings/webhooks/${props.endpoint.id}`;
    return (
      <>
        <p>
          <a href={`/p/${project.id}/settings/webhooks`}>← All endpoints</a> ·{" "}
          <a href={props.sendoutsHref}>Its sendouts</a>
        </p>
        <h1>{props.endpoint.url}</h1>
        <PageFlash {...props} />
        <form method="post" action={base} class="card stack">
          <EndpointFields endpoint={props.endpoint} />
          <Submit>Save</Submit>
        </form>
        <div class="row">
          <PostButton action={`${base}/test`} class="card fit" kind="secondary">
            Send test event
          </PostButton>
          <div class="card fit">
            <ConfirmButton
              action={`${base}/rotate-secret`}
              label="Rotate secret"
              question="Make a new signing secret? Your receiver must switch to it within 24 hours, while the old one also signs."
              confirm="Yes, rotate"
            />
          </div>
        </div>
        <form method="post" action={`${base}/recover`} class="card row">
          <FormRow label="Resend every failed sendout since">
            <input type="datetime-local" name="since" required step="1" />
          </FormRow>
          <Submit fit kind="secondary">
            Recover
          </Submit>
        </form>
        <div class="card">
          <ConfirmButton
            action={`${base}/delete`}
            label="Remove endpoint"
            question={`Remove ${props.endpoint.url}? Nothing more is sent to it; its past sendouts stay listed.`}
            confirm="Yes, remove"
          />
        </div>
      </>
    );
  },
});

export type SendoutFilterValues = Record<string, string>;

const SENDOUT_FIELDS: [name: string, label: string][][] = [
  [
    ["id", "Sendout ID"],
    ["type", "Type"],
    ["request_id", "Request ID"],
    ["event_id", "Source (event) ID"],
    ["webhook_id", "Endpoint ID"],
  ],
  [
    ["created_from", "Created from"],
    ["created_to", "Created to"],
    ["sent_from", "Sent from"],
    ["sent_to", "Sent to"],
  ],
];

/** The payload a sendout's delivery carries (README "Webhooks"). */
export type PayloadView =
  | { state: "sent"; attempt: number; body: string }
  | { state: "next"; body: string }
  | { state: "gone" };

function pretty(body: string): string {
  return JSON.stringify(JSON.parse(body), null, 2);
}

function Payload({ payload }: { payload: PayloadView }) {
  if (payload.state === "gone")
    return <p class="muted">Its event is no longer stored (retention), so its payload cannot be shown.</p>;
  return (
    <>
      <p class="muted">
        {payload.state === "sent"
          ? `As attempt #${payload.attempt} sent it. Every attempt sends the same event; only "timestamp" (the attempt's start) differs.`
          : `Not sent yet: the next attempt sends this, with its own "timestamp".`}
      </p>
      <pre class="body" id="sendout-payload">
        {pretty(payload.body)}
      </pre>
    </>
  );
}

export const Sendouts = projectPage({
  title: "Webhook sendouts",
  section: "/webhooks",
  Body: (
    props: Messages & {
      sendouts: SendoutRow[];
      /** Where a row's Resend returns to: this list with its filters; none without the permission. */
      resendBack?: string | undefined;
      filters: SendoutFilterValues;
      statusLinks: ChipLink[];
      error?: string | undefined;
      /** Where endpoints are added, for those who may. */
      endpointsHref?: string | undefined;
    },
    { project, time },
  ) => {
    const base = `/p/${project.id}/webhooks`;
    const f = props.filters;
    // The second row holds the time ranges.
    const fields = (row: number, type?: string) =>
      SENDOUT_FIELDS[row]?.map(([name, label]) => (
        <FormRow label={label}>
          <input name={name} type={type ?? "text"} value={f[name] ?? ""} step={type ? "1" : undefined} />
        </FormRow>
      ));
    return (
      <>
        <h1>Webhook sendouts</h1>
        <PageFlash {...props} />
        <Chips label="Status" chips={props.statusLinks} />
        <form method="get" action={base} class="card filters">
          {f.status && <input type="hidden" name="status" value={f.status} />}
          <div class="row">{fields(0)}</div>
          <div class="row">
            {fields(1, "datetime-local")}
            <Submit fit kind="secondary">
              Apply
            </Submit>
          </div>
        </form>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <DataTable
          rows={props.sendouts}
          empty={{
            title: "No sendouts match.",
            hint: props.endpointsHref ? (
              <>
                Sendouts appear when a stored event matches an enabled endpoint:{" "}
                <a href={props.endpointsHref}>add or check endpoints under Settings → Endpoints</a>.
              </>
            ) : (
              "Sendouts appear when a stored event matches an enabled endpoint; an owner or admin adds endpoints under Settings → Endpoints."
            ),
          }}
          columns={[
            { header: "Created", class: "nowrap", cell: (s) => <At at={s.createdAt} time={time} /> },
            { header: "Sendout", class: "mono", cell: (s) => <a href={`${base}/${s.id}`}>{s.id}</a> },
            { header: "Type", cell: (s) => s.type },
            { header: "Endpoint", cell: (s) => s.endpointUrl ?? "" },
            { header: "Request", class: "mono", cell: (s) => s.requestId ?? "" },
            {
              header: "Status",
              cell: (s) => (
                <>
                  <SendoutStatus status={s.status} />
                  {s.lastStatusCode !== null && <span class="muted"> HTTP {s.lastStatusCode}</span>}
                </>
              ),
            },
            { header: "Sent", class: "nowrap", cell: (s) => <At at={s.sentAt} time={time} /> },
            ...(props.resendBack === undefined
              ? []
              : [
                  {
                    header: "Actions",
                    cell: (s: SendoutRow) => (
                      <form method="post" action={`${base}/${s.id}/resend`} class="fit">
                        <input type="hidden" name="back" value={props.resendBack} />
                        <button type="submit" class="secondary" aria-label={`Resend ${s.id}`}>
                          Resend
                        </button>
                      </form>
                    ),
                  },
                ]),
          ]}
        />
      </>
    );
  },
});

function Attempt({ attempt: a, number, time }: { attempt: AttemptRow; number: number; time: TimeView }) {
  return (
    <div class="card">
      <div class="toolbar">
        <strong>
          #{number} · {a.trigger}
        </strong>
        <span>
          <At at={a.startedAt} time={time} /> · {a.durationMs} ms ·{" "}
          {a.responseStatus !== null ? (
            <Badge tone={a.responseStatus < 300 ? "ok" : "bad"}>HTTP {a.responseStatus}</Badge>
          ) : (
            <Badge tone="bad">no response</Badge>
          )}
        </span>
      </div>
      {a.error && <Alert kind="error">{a.error}</Alert>}
      <h4>Request headers</h4>
      <pre class="body">{JSON.stringify(a.requestHeaders, null, 2)}</pre>
      {a.responseExcerpt && (
        <>
          <h4>Response (first 2,000 characters)</h4>
          <pre class="body">{a.responseExcerpt}</pre>
        </>
      )}
    </div>
  );
}

export const SendoutPage = projectPage({
  title: "Webhook sendout",
  section: "/webhooks",
  Body: (
    props: Messages & {
      sendout: SendoutRow;
      attempts: AttemptRow[];
      canResend: boolean;
      eventHref: string;
      payload: PayloadView;
    },
    { project, time },
  ) => {
    const s = props.sendout;
    const base = `/p/${project.id}/webhooks`;
    return (
      <>
        <BackLink href={base}>All sendouts</BackLink>
        <h1>
          Sendout <code>{s.id}</code>
        </h1>
        <PageFlash {...props} />
        <div class="card">
          <DetailList
            class="detail-list"
            items={[
              ["Status", <SendoutStatus status={s.status} />],
              ["Endpoint", s.endpointUrl],
              [
                "Event",
                <>
                  <a href={props.eventHref}>{s.eventId}</a> ({s.type})
                </>,
              ],
              ["Created", <At at={s.createdAt} time={time} />],
              ["Sent", <At at={s.sentAt} time={time} />],
              ["Next attempt", <At at={s.nextAttemptAt} time={time} />],
            ]}
          />
          {props.canResend && <PostButton action={`${base}/${s.id}/resend`}>Resend</PostButton>}
        </div>
        <h2>Payload</h2>
        <Payload payload={props.payload} />
        <h2>Attempts ({props.attempts.length})</h2>
        {props.attempts.length === 0 ? (
          <p class="muted">No attempt yet.</p>
        ) : (
          props.attempts.map((a, i) => <Attempt attempt={a} number={i + 1} time={time} />)
        )}
      </>
    );
  },
});
