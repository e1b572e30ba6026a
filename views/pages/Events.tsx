import type { StoredEvent } from "../../src/services/events/schema";
import { Alert } from "../components/Alert";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };

function statusClass(status: string | undefined): string {
  if (!status) return "info";
  if (/^(success|allowed|delivered|complete|sent)$/.test(status)) return "ok";
  if (/^(failure|failed|blocked|bounced|error|rollback)$/.test(status)) return "bad";
  if (/^(pending|processing|transit|retry)$/.test(status)) return "warn";
  return "info";
}

export function StatusBadge({ status }: { status: string | undefined }) {
  return status ? <span class={`badge ${statusClass(status)}`}>{status}</span> : <span class="muted">—</span>;
}

/** The project's events, newest first (the full explorer with filters and views builds on this). */
export function Events(props: Frame & { events: StoredEvent[]; count: number; error?: string | undefined }) {
  const base = `/p/${props.project.id}`;
  return (
    <Layout title="Events" nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>Events</h1>
      {props.error && <Alert kind="error">{props.error}</Alert>}
      <p class="muted">{props.count.toLocaleString("en-US")} events</p>
      {props.events.length === 0 ? (
        <div class="card empty">No events match. Post one with the API (see the README), or widen the filters.</div>
      ) : (
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Activity</th>
                <th>Summary</th>
                <th>Actor</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((e) => (
                <tr>
                  <td class="mono">{e.occurred_at.replace("T", " ").slice(0, 19)}</td>
                  <td>
                    <a href={`${base}/events/${encodeURIComponent(e.id)}`}>{e.type}</a>
                  </td>
                  <td>{e.summary ?? ""}</td>
                  <td>{e.actor?.name ?? e.actor?.email ?? e.actor?.id ?? ""}</td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}

export function EventDetail(props: Frame & { event: StoredEvent }) {
  const e = props.event;
  return (
    <Layout title={e.type} nonce={props.nonce} user={props.user} project={props.project} nav={props.nav}>
      <h1>{e.type}</h1>
      <p>{e.summary}</p>
      <div class="card">
        <pre class="mono">{JSON.stringify(e, null, 2)}</pre>
      </div>
    </Layout>
  );
}
