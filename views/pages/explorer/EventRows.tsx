import { Badge } from "../../components/Badge";
import { Table } from "../../components/DataTable";
import { Timestamp } from "../../components/time";
import { pairOf, show, statusTone } from "./format";
import {
  type EventColumn,
  type EventView,
  type OutsideLink,
  type PageAndFragment,
  type RowContext,
  TARGETS,
} from "./model";

// The event table's rows: drawn for the page and for the fragments htmx fetches ("load more" and
// live mode), so their markup never drifts.

const COLUMN_LABELS: Record<EventColumn, string> = {
  time: "Time",
  activity: "Activity",
  summary: "Summary",
  actor: "Actor",
  source: "Source",
  changes: "Changes",
  status: "Status",
  method: "Method",
  path: "Path",
  message: "Message",
  event_id: "Event ID",
  request_id: "Request ID",
  job_id: "Job ID",
  entity_id: "Entity ID",
  request_ip: "IP address",
  recipient: "Recipient",
  email_type: "E-mail type",
  delivered: "Delivered",
  opened: "Opened",
  payout_source: "Payout source",
  program: "Program",
  amount: "Amount",
};

/** A metadata value as text (the columns of the Payments and Emails views); empty when absent. */
function meta(event: EventView, key: string): string {
  const value = event.metadata && Object.hasOwn(event.metadata, key) ? event.metadata[key] : undefined;
  return value === undefined || value === null ? "" : show(value);
}

/** A metadata time (`delivered_at`) in the page's time display; text that is no time is shown as it is. */
function MetaTime({ event, field, ctx }: { event: EventView; field: string; ctx: RowContext }) {
  const text = meta(event, field);
  if (!text) return <td class="muted">—</td>;
  const at = Date.parse(text);
  return (
    <td class="nowrap mono">
      {Number.isNaN(at) ? text : <Timestamp iso={new Date(at).toISOString()} mode={ctx.timeMode} zone={ctx.zone} />}
    </td>
  );
}

/** Links to the project's own pages for an event's entity and targets; they leave Trailbook, in a new tab. */
export function OutsideLinks({ links }: { links: OutsideLink[] }) {
  return (
    <div class="outside-links">
      {links.map((l) => (
        <a href={l.href} target="_blank" rel="noopener noreferrer">
          {l.label}
        </a>
      ))}
    </div>
  );
}

/** Status as a coloured badge: HTTP codes by class (2xx green, 3xx yellow, 4xx/5xx red), words by meaning. */
export function StatusBadge({ event }: { event: Pick<EventView, "status" | "request"> }) {
  const code = event.request?.status_code;
  if (!event.status && code === undefined) return <span class="muted">—</span>;
  return (
    <Badge tone={statusTone(event)}>
      {event.status ?? ""}
      {event.status && code !== undefined ? " · " : ""}
      {code !== undefined ? String(code) : ""}
    </Badge>
  );
}

/** `status: pending → approved`, a line per field (the first three, then a count). */
export function CompactChanges({ changes }: { changes: EventView["changes"] }) {
  const entries = Object.entries(changes ?? {});
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <div class="changes">
      {entries.slice(0, 3).map(([field, pair]) => {
        const [before, after] = pairOf(pair);
        return (
          <div>
            <strong>{field}</strong>: {show(before)}
            <span class="arrow">→</span>
            {show(after)}
          </div>
        );
      })}
      {entries.length > 3 && <div class="muted">+{entries.length - 3} more</div>}
    </div>
  );
}

/** The link that opens an event's detail in the side panel (the detail page without JavaScript). */
function DetailLink({ href, children }: { href: PageAndFragment; children: string }) {
  return (
    <a
      href={href.page}
      hx-get={href.fragment}
      hx-target={`#${TARGETS.detail}`}
      hx-swap="innerHTML"
      hx-push-url={href.page}
      data-detail=""
    >
      {children}
    </a>
  );
}

function Cell({ column, event, ctx }: { column: EventColumn; event: EventView; ctx: RowContext }) {
  switch (column) {
    case "time":
      return (
        <td class="nowrap mono">
          <Timestamp iso={event.occurred_at} mode={ctx.timeMode} zone={ctx.zone} />
        </td>
      );
    case "activity":
      return (
        <td>
          <DetailLink href={ctx.detailHref(event.id)}>{event.type}</DetailLink>
          {event.lifecycle_action && (
            <Badge tone="info" class="lifecycle">
              {event.lifecycle_action}
            </Badge>
          )}
        </td>
      );
    case "summary": {
      const outside = ctx.outsideLinks?.(event) ?? [];
      // Views without an activity column open the detail from the summary.
      return (
        <td>
          {ctx.columns.includes("activity") ? (
            (event.summary ?? "")
          ) : (
            <DetailLink href={ctx.detailHref(event.id)}>{event.summary ?? event.type}</DetailLink>
          )}
          {outside.length > 0 && <OutsideLinks links={outside} />}
        </td>
      );
    }
    case "actor":
      return (
        <td>
          {event.actor?.name ?? event.actor?.email ?? event.actor?.id ?? ""}
          {event.actor?.type && <div class="muted">{event.actor.type}</div>}
        </td>
      );
    case "source":
      return <td>{event.source ?? ""}</td>;
    case "changes":
      return (
        <td>
          <CompactChanges changes={event.changes} />
        </td>
      );
    case "status":
      return (
        <td>
          <StatusBadge event={event} />
        </td>
      );
    case "method":
      return <td class="mono">{event.request?.method ?? ""}</td>;
    case "path":
      return <td class="mono">{event.request?.path ?? ""}</td>;
    case "message":
      return <td>{event.message ?? ""}</td>;
    case "event_id":
      return <td class="mono">{event.id}</td>;
    case "request_id":
      return <td class="mono">{event.request?.id ?? ""}</td>;
    case "job_id":
      return <td class="mono">{event.job_id ?? ""}</td>;
    case "entity_id":
      return <td class="mono">{event.entity?.id ?? ""}</td>;
    case "request_ip":
      return <td class="mono">{typeof event.request?.ip === "string" ? event.request.ip : ""}</td>;
    case "recipient":
      return <td>{meta(event, "to")}</td>;
    case "email_type":
      return <td>{meta(event, "template")}</td>;
    case "delivered":
      return <MetaTime event={event} field="delivered_at" ctx={ctx} />;
    case "opened":
      return <MetaTime event={event} field="opened_at" ctx={ctx} />;
    case "payout_source":
      return <td>{meta(event, "payout_source")}</td>;
    case "program":
      return <td>{meta(event, "program")}</td>;
    case "amount":
      return <td class="nowrap num">{[meta(event, "amount"), meta(event, "currency")].filter(Boolean).join(" ")}</td>;
  }
}

function EventRow({ event, ctx }: { event: EventView; ctx: RowContext }) {
  return (
    <tr data-event-id={event.id} tabindex={-1}>
      {ctx.columns.map((column) => (
        <Cell column={column} event={event} ctx={ctx} />
      ))}
    </tr>
  );
}

function LoadMoreRow({ more, columns }: { more: PageAndFragment; columns: number }) {
  return (
    <tr class="load-more" id={TARGETS.loadMore}>
      <td colspan={columns}>
        <a
          class="button secondary"
          href={more.page}
          hx-get={more.fragment}
          hx-target={`#${TARGETS.loadMore}`}
          hx-swap="outerHTML"
          hx-push-url="false"
        >
          Load more
        </a>
      </td>
    </tr>
  );
}

/** The rows of one page plus, when there are more, the button that fetches the next ones. */
export function EventRows({
  events,
  ctx,
  more,
}: {
  events: EventView[];
  ctx: RowContext;
  more?: PageAndFragment | undefined;
}) {
  return (
    <>
      {events.map((event) => (
        <EventRow event={event} ctx={ctx} />
      ))}
      {more && <LoadMoreRow more={more} columns={ctx.columns.length} />}
    </>
  );
}

/** The table of the page: the view's columns and the first rows. */
export function EventTable(props: { events: EventView[]; ctx: RowContext; more?: PageAndFragment | undefined }) {
  return (
    <div class="table-wrap">
      <Table headers={props.ctx.columns.map((c) => COLUMN_LABELS[c])} bodyId={TARGETS.rows}>
        <EventRows events={props.events} ctx={props.ctx} more={props.more} />
      </Table>
    </div>
  );
}

/** Live mode: polls for events newer than the top row; each answer brings a poller for the new top. */
export function LivePoller({ href, oob }: { href: string; oob?: boolean }) {
  return (
    <div
      id={TARGETS.poller}
      hx-get={href}
      hx-trigger="every 5s"
      hx-target={`#${TARGETS.rows}`}
      hx-swap="afterbegin"
      hx-push-url="false"
      hx-swap-oob={oob ? "true" : undefined}
      class="muted field-note"
      aria-live="polite"
    >
      Live: new events appear at the top.
    </div>
  );
}
