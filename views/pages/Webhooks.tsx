import { Alert } from "../components/Alert";
import { utcText } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

// Webhook endpoints (settings) and sendouts (DESIGN §8).

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };
type Flash = { error?: string | undefined; success?: string | undefined; secret?: string | undefined };

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

const TONE: Record<string, string> = { sent: "ok", error: "bad", retry: "warn", pending: "info" };
const when = (iso: string | null) => utcText(iso, { seconds: true });

function Messages(props: Flash) {
  return (
    <>
      {props.success && <Alert kind="success">{props.success}</Alert>}
      {props.secret && (
        <Alert kind="success">
          The signing secret — copy it now, it is not shown again:
          <div class="secret">{props.secret}</div>
        </Alert>
      )}
      {props.error && <Alert kind="error">{props.error}</Alert>}
    </>
  );
}

function EndpointFields({ endpoint }: { endpoint?: EndpointRow | undefined }) {
  return (
    <>
      <label>
        URL
        <span class="hint">https, on a public host.</span>
        <input
          name="url"
          type="url"
          required
          maxlength={2000}
          value={endpoint?.url ?? ""}
          placeholder="https://example.com/webhooks/trailbook"
        />
      </label>
      <label>
        Description
        <input name="description" maxlength={500} value={endpoint?.description ?? ""} />
      </label>
      <label>
        Event types
        <span class="hint">
          Comma separated: * for all, commission.* for a group, or exact types like payout.created.
        </span>
        <input name="event_types" required value={endpoint ? endpoint.eventTypes.join(", ") : "*"} />
      </label>
      <label class="fit">
        <span>
          <input type="checkbox" name="enabled" value="1" checked={endpoint ? endpoint.enabled : true} /> Enabled
        </span>
      </label>
    </>
  );
}

export function WebhookEndpoints(props: Frame & Flash & { endpoints: EndpointRow[] }) {
  const base = `/p/${props.project.id}/settings/webhooks`;
  return (
    <Layout title="Webhooks" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Webhook endpoints</h1>
      <Messages {...props} />
      {props.endpoints.length === 0 ? (
        <div class="card empty">No endpoints yet. Add one below to receive events as they are stored.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>URL</th>
                <th>Event types</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {props.endpoints.map((e) => (
                <tr>
                  <td>
                    <a href={`${base}/${e.id}`}>{e.url}</a>
                    {e.description && <div class="muted">{e.description}</div>}
                  </td>
                  <td class="mono">{e.eventTypes.join(", ")}</td>
                  <td>
                    {e.enabled ? <span class="badge ok">enabled</span> : <span class="badge bad">disabled</span>}
                    {e.disabledReason && <div class="muted">{e.disabledReason}</div>}
                    {e.failingSince && <div class="muted">failing since {when(e.failingSince)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Add an endpoint</h2>
      <form method="post" action={base} class="card stack">
        <EndpointFields />
        <div>
          <button type="submit">Add endpoint</button>
        </div>
      </form>
    </Layout>
  );
}

export function WebhookEndpointPage(props: Frame & Flash & { endpoint: EndpointRow; sendoutsHref: string }) {
  const base = `/p/${props.project.id}/settings/webhooks/${props.endpoint.id}`;
  return (
    <Layout title="Webhook endpoint" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <p>
        <a href={`/p/${props.project.id}/settings/webhooks`}>← All endpoints</a> ·{" "}
        <a href={props.sendoutsHref}>Its sendouts</a>
      </p>
      <h1>{props.endpoint.url}</h1>
      <Messages {...props} />
      <form method="post" action={base} class="card stack">
        <EndpointFields endpoint={props.endpoint} />
        <div>
          <button type="submit">Save</button>
        </div>
      </form>
      <div class="row">
        <form method="post" action={`${base}/test`} class="card fit">
          <button type="submit" class="secondary">
            Send test event
          </button>
        </form>
        <form method="post" action={`${base}/rotate-secret`} class="card fit">
          <button type="submit" class="secondary">
            Rotate secret
          </button>
          <p class="hint">The old secret keeps signing too for 24 hours.</p>
        </form>
      </div>
      <form method="post" action={`${base}/recover`} class="card row">
        <label>
          Resend every failed sendout since
          <input type="datetime-local" name="since" required step="1" />
        </label>
        <div class="fit">
          <button type="submit" class="secondary">
            Recover
          </button>
        </div>
      </form>
      <form method="post" action={`${base}/delete`} class="card">
        <button type="submit" class="danger">
          Remove endpoint
        </button>
      </form>
    </Layout>
  );
}

export type SendoutFilterValues = Record<string, string>;

export function Sendouts(
  props: Frame & {
    sendouts: SendoutRow[];
    filters: SendoutFilterValues;
    statusLinks: { label: string; href: string; active: boolean }[];
    error?: string | undefined;
  },
) {
  const base = `/p/${props.project.id}/webhooks`;
  const f = props.filters;
  const field = (name: string, label: string, type = "text") => (
    <label>
      {label}
      <input name={name} type={type} value={f[name] ?? ""} step={type === "datetime-local" ? "1" : undefined} />
    </label>
  );
  return (
    <Layout title="Webhook sendouts" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Webhook sendouts</h1>
      <div class="chips" role="group" aria-label="Status">
        {props.statusLinks.map((l) => (
          <a class="chip" href={l.href} aria-current={l.active ? "true" : undefined}>
            {l.label}
          </a>
        ))}
      </div>
      <form method="get" action={base} class="card filters">
        {f.status && <input type="hidden" name="status" value={f.status} />}
        <div class="row">
          {field("id", "Sendout ID")}
          {field("type", "Type")}
          {field("request_id", "Request ID")}
          {field("event_id", "Source (event) ID")}
          {field("webhook_id", "Endpoint ID")}
        </div>
        <div class="row">
          {field("created_from", "Created from", "datetime-local")}
          {field("created_to", "Created to", "datetime-local")}
          {field("sent_from", "Sent from", "datetime-local")}
          {field("sent_to", "Sent to", "datetime-local")}
          <div class="fit">
            <button type="submit" class="secondary">
              Apply
            </button>
          </div>
        </div>
      </form>
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.sendouts.length === 0 ? (
        <div class="card empty">
          No sendouts match. Sendouts appear when a stored event matches an enabled endpoint.
        </div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Created</th>
                <th>Sendout</th>
                <th>Type</th>
                <th>Endpoint</th>
                <th>Request</th>
                <th>Status</th>
                <th>Sent</th>
              </tr>
            </thead>
            <tbody>
              {props.sendouts.map((s) => (
                <tr>
                  <td class="nowrap">{when(s.createdAt)}</td>
                  <td class="mono">
                    <a href={`${base}/${s.id}`}>{s.id}</a>
                  </td>
                  <td>{s.type}</td>
                  <td>{s.endpointUrl ?? ""}</td>
                  <td class="mono">{s.requestId ?? ""}</td>
                  <td>
                    <span class={`badge ${TONE[s.status] ?? "info"}`}>{s.status}</span>
                    {s.lastStatusCode !== null && <span class="muted"> HTTP {s.lastStatusCode}</span>}
                  </td>
                  <td class="nowrap">{when(s.sentAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export function SendoutPage(
  props: Frame & Flash & { sendout: SendoutRow; attempts: AttemptRow[]; canResend: boolean; eventHref: string },
) {
  const s = props.sendout;
  const base = `/p/${props.project.id}/webhooks`;
  return (
    <Layout title="Webhook sendout" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <p>
        <a href={base}>← All sendouts</a>
      </p>
      <h1>
        Sendout <code>{s.id}</code>
      </h1>
      <Messages {...props} />
      <div class="card">
        <dl class="detail-list">
          <dt>Status</dt>
          <dd>
            <span class={`badge ${TONE[s.status] ?? "info"}`}>{s.status}</span>
          </dd>
          <dt>Endpoint</dt>
          <dd>{s.endpointUrl}</dd>
          <dt>Event</dt>
          <dd>
            <a href={props.eventHref}>{s.eventId}</a> ({s.type})
          </dd>
          <dt>Created</dt>
          <dd>{when(s.createdAt)}</dd>
          <dt>Sent</dt>
          <dd>{when(s.sentAt)}</dd>
          <dt>Next attempt</dt>
          <dd>{when(s.nextAttemptAt)}</dd>
        </dl>
        {props.canResend && (
          <form method="post" action={`${base}/${s.id}/resend`}>
            <button type="submit">Resend</button>
          </form>
        )}
      </div>
      <h2>Attempts ({props.attempts.length})</h2>
      {props.attempts.length === 0 ? (
        <p class="muted">No attempt yet.</p>
      ) : (
        props.attempts.map((a, i) => (
          <div class="card">
            <div class="toolbar">
              <strong>
                #{i + 1} · {a.trigger}
              </strong>
              <span>
                {when(a.startedAt)} · {a.durationMs} ms ·{" "}
                {a.responseStatus !== null ? (
                  <span class={`badge ${a.responseStatus < 300 ? "ok" : "bad"}`}>HTTP {a.responseStatus}</span>
                ) : (
                  <span class="badge bad">no response</span>
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
        ))
      )}
    </Layout>
  );
}
