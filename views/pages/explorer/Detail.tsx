import { Alert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Chips } from "../../components/Chips";
import { DataTable } from "../../components/DataTable";
import { BackLink, DetailList } from "../../components/DetailList";
import { Timestamp } from "../../components/time";
import { projectPage } from "../../layouts/page";
import { OutsideLinks, StatusBadge } from "./EventRows";
import { pairOf, show, statusTone } from "./format";
import type { DetailProps, ProofLine } from "./model";

function Pretty({ value }: { value: unknown }) {
  if (value === undefined) return <span class="muted">—</span>;
  let text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  if (typeof value === "string") {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      // not JSON: shown as it is
    }
  }
  return <pre class="body">{text}</pre>;
}

/** A heading and its value pretty-printed, when there is one. */
function Section({ title, value }: { title: string; value: unknown }) {
  if (value === undefined) return null;
  return (
    <>
      <h4>{title}</h4>
      <Pretty value={value} />
    </>
  );
}

const joined = (parts: (string | undefined)[]) => parts.filter(Boolean).join(" · ");

/** Whether the event is in a signed digest, with its proof to download. */
function ProofNote({ proof, zone, timeMode }: { proof: ProofLine; zone: string; timeMode: DetailProps["timeMode"] }) {
  if (proof.state === "verified")
    return (
      <p class="proof">
        <Badge tone="ok">Verified</Badge> in digest <Timestamp iso={proof.windowStart} mode={timeMode} zone={zone} /> –{" "}
        <Timestamp iso={proof.windowEnd} mode={timeMode} zone={zone} /> ·{" "}
        <a href={proof.href} download>
          Download proof
        </a>
      </p>
    );
  if (proof.state === "pending")
    return (
      <p class="proof muted">
        Not in a digest yet: its hour is digested at about <Timestamp iso={proof.dueAt} mode={timeMode} zone={zone} />.
      </p>
    );
  return (
    <p class="proof">
      <Badge tone="bad">Not verified</Badge> {proof.reason}
    </p>
  );
}

/** Every field of one event; the changes as a before/after table; bodies pretty-printed. */
export function DetailPanel({
  event,
  zone,
  timeMode,
  closeHref,
  links,
  outside,
  proof,
  fields: viewFields,
  history,
  organizationName,
}: DetailProps) {
  const request = event.request;
  const fields: [string, unknown][] = [
    ["Event ID", event.id],
    ["Category", event.category],
    ["Type", event.type],
    ["Action", event.action],
    ["Lifecycle", event.lifecycle_action],
    ["Status", event.status],
    ["Source", event.source],
    ["Organisation", organizationName ? `${organizationName} (${event.organization_id})` : event.organization_id],
    ["Job ID", event.job_id],
    ["Hash", event.hash],
  ];
  const { body: _body, response_body: _response, query: _query, headers: _headers, ...requestFields } = request ?? {};
  return (
    <div class="detail">
      <div class="toolbar">
        <h2>{event.type}</h2>
        <a href={closeHref} class="button secondary" aria-label="Close details" data-close="">
          Close
        </a>
      </div>
      {event.summary && <p>{event.summary}</p>}
      {event.message && <Alert kind={statusTone(event) === "bad" ? "error" : "info"}>{event.message}</Alert>}
      <DetailList
        items={[
          ["Occurred", <Timestamp iso={event.occurred_at} mode={timeMode} zone={zone} />],
          event.received_at
            ? ["Received", <Timestamp iso={event.received_at} mode={timeMode} zone={zone} />]
            : undefined,
          ...fields
            .filter(([, v]) => v !== undefined)
            .map(([k, v]): [string, string, string | undefined] => [
              k,
              show(v),
              k === "Hash" || k.endsWith("ID") ? "mono" : undefined,
            ]),
          event.actor && [
            "Actor",
            <>
              {joined([event.actor.name, event.actor.email, event.actor.id])}
              {event.actor.type && <span class="muted"> ({event.actor.type})</span>}
            </>,
          ],
          event.entity && ["Entity", joined([event.entity.type, event.entity.id, event.entity.name])],
          event.targets?.length
            ? ["Targets", event.targets.map((t) => joined([t.type, t.id, t.name])).join("; ")]
            : undefined,
        ]}
      />
      {proof && <ProofNote proof={proof} zone={zone} timeMode={timeMode} />}
      {outside && outside.length > 0 && <OutsideLinks links={outside} />}
      {links.length > 0 && <Chips label="Related events" chips={links} />}
      {viewFields && (
        <>
          <h3>Details</h3>
          <DetailList
            items={viewFields.map((f) => [
              f.label,
              f.time ? (
                <Timestamp iso={new Date(Date.parse(f.value)).toISOString()} mode={timeMode} zone={zone} />
              ) : (
                f.value
              ),
            ])}
          />
        </>
      )}
      {history && history.length > 1 && (
        <>
          <h3>Status history</h3>
          <DataTable
            wrap={false}
            rows={history}
            columns={[
              {
                header: "Time",
                class: "nowrap mono",
                cell: (h) => <Timestamp iso={h.event.occurred_at} mode={timeMode} zone={zone} />,
              },
              {
                header: "Event",
                cell: (h) =>
                  h.event.id === event.id ? (
                    <span aria-current="true">{h.event.type} (this event)</span>
                  ) : (
                    <a href={h.href.page}>{h.event.type}</a>
                  ),
              },
              { header: "Status", cell: (h) => <StatusBadge event={h.event} /> },
            ]}
          />
        </>
      )}
      {event.changes && Object.keys(event.changes).length > 0 && (
        <>
          <h3>Changes</h3>
          <DataTable
            wrap={false}
            rows={Object.entries(event.changes).map(([field, pair]) => [field, ...pairOf(pair)] as const)}
            columns={[
              { header: "Field", class: "mono", cell: ([field]) => field },
              { header: "Before", cell: ([, before]) => show(before) },
              { header: "After", cell: ([, , after]) => show(after) },
            ]}
          />
        </>
      )}
      {request && (
        <>
          <h3>Request</h3>
          <DetailList items={Object.entries(requestFields).map(([k, v]) => [k.replace(/_/g, " "), show(v), "mono"])} />
          <Section title="Headers" value={request.headers} />
          <Section title="Query" value={request.query} />
          <Section title="Request body" value={request.body} />
          <Section title="Response body" value={request.response_body} />
        </>
      )}
      {event.metadata && (
        <>
          <h3>Metadata</h3>
          <Pretty value={event.metadata} />
        </>
      )}
    </div>
  );
}

/** A direct load of an event's URL: the detail as a page of its own. */
export const EventPage = projectPage({
  title: ({ detail }: { detail: DetailProps }) => detail.event.type,
  section: "/events",
  boost: true,
  Body: ({ detail }: { detail: DetailProps }) => (
    <div class="detail-page">
      <BackLink href={detail.closeHref}>Back to events</BackLink>
      <DetailPanel {...detail} />
    </div>
  ),
});
