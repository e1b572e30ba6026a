import type { Column } from "../../src/services/events/presets";
import type { StoredEvent } from "../../src/services/events/schema";
import { Alert } from "../components/Alert";
import { type TimeMode, Timestamp } from "../components/time";
import { Layout, type LayoutProject, type LayoutUser, type NavItem } from "../layouts/Layout";

// The log explorer (DESIGN §5). One component per piece, used by the page and by the fragments
// htmx fetches (rows for "load more" and live mode, the detail panel, the counter, suggestions), so
// their markup never drifts.

export const TARGETS = {
  rows: "rows",
  detail: "detail",
  loadMore: "load-more",
  poller: "poller",
  counter: "counter",
  actorIds: "actor-ids",
  organizationIds: "organization-ids",
} as const;

export type Frame = { nonce?: string | undefined; user: LayoutUser; project: LayoutProject; nav: NavItem[] };
export type ChipLink = { label: string; href: string; active?: boolean; title?: string };
export type RowContext = {
  columns: Column[];
  timeMode: TimeMode;
  zone: string;
  detailHref: (id: string) => { page: string; fragment: string };
};

const COLUMN_LABELS: Record<Column, string> = {
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
};

function statusTone(event: Pick<StoredEvent, "status" | "request">): string {
  const code = event.request?.status_code;
  if (code !== undefined) return code < 300 ? "ok" : code < 400 ? "warn" : "bad";
  const s = event.status;
  if (!s) return "info";
  if (/^(success|allowed|delivered|complete|sent)$/.test(s)) return "ok";
  if (/^(failure|failed|blocked|bounced|error|rollback)$/.test(s)) return "bad";
  if (/^(pending|processing|transit|retry)$/.test(s)) return "warn";
  return "info";
}

/** Status as a coloured badge: HTTP codes by class (2xx green, 3xx yellow, 4xx/5xx red), words by meaning. */
export function StatusBadge({ event }: { event: Pick<StoredEvent, "status" | "request"> }) {
  const code = event.request?.status_code;
  if (!event.status && code === undefined) return <span class="muted">—</span>;
  return (
    <span class={`badge ${statusTone(event)}`}>
      {event.status ?? ""}
      {event.status && code !== undefined ? " · " : ""}
      {code !== undefined ? String(code) : ""}
    </span>
  );
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `status: pending → approved`, a line per field (the first three, then a count). */
export function CompactChanges({ changes }: { changes: StoredEvent["changes"] }) {
  const entries = Object.entries(changes ?? {});
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <div class="changes">
      {entries.slice(0, 3).map(([field, pair]) => {
        const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
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

function actorLabel(actor: StoredEvent["actor"]): string {
  return actor?.name ?? actor?.email ?? actor?.id ?? "";
}

function Cell({ column, event, ctx }: { column: Column; event: StoredEvent; ctx: RowContext }) {
  switch (column) {
    case "time":
      return (
        <td class="nowrap mono">
          <Timestamp iso={event.occurred_at} mode={ctx.timeMode} zone={ctx.zone} />
        </td>
      );
    case "activity": {
      const href = ctx.detailHref(event.id);
      return (
        <td>
          <a
            href={href.page}
            hx-get={href.fragment}
            hx-target={`#${TARGETS.detail}`}
            hx-swap="innerHTML"
            hx-push-url={href.page}
          >
            {event.type}
          </a>
          {event.lifecycle_action && <span class="badge info lifecycle">{event.lifecycle_action}</span>}
        </td>
      );
    }
    case "summary": {
      const href = ctx.detailHref(event.id);
      // Views without an activity column open the detail from the summary.
      return ctx.columns.includes("activity") ? (
        <td>{event.summary ?? ""}</td>
      ) : (
        <td>
          <a
            href={href.page}
            hx-get={href.fragment}
            hx-target={`#${TARGETS.detail}`}
            hx-swap="innerHTML"
            hx-push-url={href.page}
          >
            {event.summary ?? event.type}
          </a>
        </td>
      );
    }
    case "actor":
      return (
        <td>
          {actorLabel(event.actor)}
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
  }
}

export function EventRow({ event, ctx }: { event: StoredEvent; ctx: RowContext }) {
  return (
    <tr data-event-id={event.id}>
      {ctx.columns.map((column) => (
        <Cell column={column} event={event} ctx={ctx} />
      ))}
    </tr>
  );
}

export function LoadMoreRow({ page, fragment, columns }: { page: string; fragment: string; columns: number }) {
  return (
    <tr class="load-more" id={TARGETS.loadMore}>
      <td colspan={columns}>
        <a
          class="button secondary"
          href={page}
          hx-get={fragment}
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
  events: StoredEvent[];
  ctx: RowContext;
  more?: { page: string; fragment: string } | undefined;
}) {
  return (
    <>
      {events.map((event) => (
        <EventRow event={event} ctx={ctx} />
      ))}
      {more && <LoadMoreRow page={more.page} fragment={more.fragment} columns={ctx.columns.length} />}
    </>
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

export type Pickers = {
  types: { group: string; values: string[] }[];
  changed: { group: string; values: string[] }[];
  sources: string[];
  categories: string[];
};

/** Where the id boxes fetch their suggestions from (none for a partner viewer). */
export type SuggestionHrefs = { actors: string; organizations: string };

/** The counter: exact, still to be counted (fetched by htmx; a link without JavaScript), or not countable. */
export type CounterState =
  | { count: number }
  | { pending: { page: string; fragment: string } }
  | { unavailable: string | undefined };

export function EventCounter({ state }: { state: CounterState }) {
  if ("count" in state) {
    return (
      <span class="counter" id={TARGETS.counter}>
        {`${state.count.toLocaleString("en-US")} ${state.count === 1 ? "event" : "events"}`}
      </span>
    );
  }
  if ("pending" in state) {
    // Counting a wide range reads every matching index entry, so the rows do not wait for it.
    return (
      <span
        class="counter pending"
        id={TARGETS.counter}
        hx-get={state.pending.fragment}
        hx-trigger="load"
        hx-swap="outerHTML"
        hx-indicator="this"
        hx-push-url="false"
      >
        <a href={state.pending.page} title="Count the events that match">
          Count events
        </a>
      </span>
    );
  }
  return (
    <span class="counter" id={TARGETS.counter}>
      —{state.unavailable && <span class="muted field-note"> Not counted: {state.unavailable}</span>}
    </span>
  );
}

/** Suggestions for an id box; the page starts with none and htmx fills them in as one types. */
export function SuggestionList({ id, values }: { id: string; values: string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option value={v} />
      ))}
    </datalist>
  );
}

/** The first focus brings the first values; typing narrows them (the list could be of millions). */
function suggesting(href: string | undefined, target: string) {
  if (!href) return {};
  return {
    "hx-get": href,
    "hx-trigger": "focus once, input changed delay:250ms",
    "hx-target": `#${target}`,
    "hx-swap": "outerHTML",
    "hx-sync": "this:replace",
    "hx-indicator": "this",
    autocomplete: "off",
  };
}

export type FormState = {
  view: string;
  range: string;
  from: string;
  to: string;
  search: string;
  searchBy: string;
  time: string;
  cols: string[];
  live: boolean;
  filters: Record<string, string | undefined>;
};

const RANGE_LABELS: [string, string][] = [
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["90d", "Last 90 days"],
  ["all", "All time"],
  ["custom", "Custom range"],
];

function Picker(props: {
  name: string;
  label: string;
  value: string | undefined;
  options: string[];
  groups?: { group: string; values: string[] }[];
  groupAll?: boolean;
}) {
  const all = props.groups
    ? props.groups.flatMap((g) => [...(props.groupAll ? [`${g.group}.*`] : []), ...g.values])
    : props.options;
  const current = props.value ?? "";
  return (
    <label>
      {props.label}
      <select name={props.name}>
        <option value="">Any</option>
        {current && !all.includes(current) && (
          <option value={current} selected>
            {current}
          </option>
        )}
        {props.groups
          ? props.groups.map((g) => (
              <optgroup label={g.group}>
                {props.groupAll && (
                  <option value={`${g.group}.*`} selected={current === `${g.group}.*`}>
                    All {g.group} ({g.group}.*)
                  </option>
                )}
                {g.values.map((v) => (
                  <option value={v} selected={current === v}>
                    {v}
                  </option>
                ))}
              </optgroup>
            ))
          : props.options.map((v) => (
              <option value={v} selected={current === v}>
                {v}
              </option>
            ))}
      </select>
    </label>
  );
}

/** The filter bar: a GET form, so submitting it is a URL that holds the whole state. */
export function FilterBar(props: {
  base: string;
  form: FormState;
  pickers: Pickers;
  suggest?: SuggestionHrefs | undefined;
  showCategory: boolean;
  partner: boolean;
  searchError?: string | undefined;
  rangeError?: string | undefined;
}) {
  const f = props.form;
  return (
    <form method="get" action={props.base} class="filters card" role="search">
      {f.view !== "all" && <input type="hidden" name="view" value={f.view} />}
      {f.time !== "project" && <input type="hidden" name="time" value={f.time} />}
      {f.cols.length > 0 && <input type="hidden" name="cols" value={f.cols.join(",")} />}
      {f.live && <input type="hidden" name="live" value="1" />}
      {f.filters.status && <input type="hidden" name="status" value={f.filters.status} />}
      {["entity_type", "entity_id", "request_id", "job_id"].map(
        (k) => f.filters[k] && <input type="hidden" name={k} value={f.filters[k]} />,
      )}
      <div class="search">
        <select name="search_by" aria-label="Search by">
          <option value="all" selected={f.searchBy === "all"}>
            All fields
          </option>
          <option value="actor" selected={f.searchBy === "actor"}>
            Actor
          </option>
          {!props.partner && (
            <option value="organization" selected={f.searchBy === "organization"}>
              Organisation
            </option>
          )}
        </select>
        <input
          type="search"
          name="search"
          value={f.search}
          placeholder='Search, or e.g. type:commission.* -source:api "approved"'
          aria-label="Search"
          aria-invalid={props.searchError ? "true" : undefined}
          aria-describedby={props.searchError ? "search-error" : undefined}
        />
        <button type="submit">Search</button>
      </div>
      {props.searchError && (
        <div id="search-error" class="field-error" role="alert">
          {props.searchError}
        </div>
      )}
      <div class="row">
        <label>
          Date range
          <select name="range">
            {RANGE_LABELS.map(([value, label]) => (
              <option value={value} selected={f.range === value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <span class="hint">(project time; custom range)</span>
          <input type="datetime-local" name="from" value={f.range === "custom" ? f.from : ""} step="1" />
        </label>
        <label>
          To
          <input type="datetime-local" name="to" value={f.range === "custom" ? f.to : ""} step="1" />
        </label>
      </div>
      {props.rangeError && (
        <div class="field-error" role="alert">
          {props.rangeError}
        </div>
      )}
      <div class="row">
        <Picker name="type" label="Type" value={f.filters.type} options={[]} groups={props.pickers.types} groupAll />
        {props.showCategory && (
          <Picker name="category" label="Category" value={f.filters.category} options={props.pickers.categories} />
        )}
        <Picker name="source" label="Source" value={f.filters.source} options={props.pickers.sources} />
        <Picker
          name="changed"
          label="Changed field"
          value={f.filters.changed}
          options={[]}
          groups={props.pickers.changed}
        />
        <label>
          Actor ID
          <input
            name="actor_id"
            value={f.filters.actor_id ?? ""}
            list={TARGETS.actorIds}
            {...suggesting(props.suggest?.actors, TARGETS.actorIds)}
          />
          <SuggestionList id={TARGETS.actorIds} values={[]} />
        </label>
        {!props.partner && (
          <label>
            Organisation
            <input
              name="organization_id"
              value={f.filters.organization_id ?? ""}
              list={TARGETS.organizationIds}
              {...suggesting(props.suggest?.organizations, TARGETS.organizationIds)}
            />
            <SuggestionList id={TARGETS.organizationIds} values={[]} />
          </label>
        )}
        <div class="fit">
          <button type="submit" class="secondary">
            Apply
          </button>
        </div>
      </div>
    </form>
  );
}

export type ExplorerProps = Frame & {
  base: string;
  tabs: ChipLink[];
  form: FormState;
  pickers: Pickers;
  suggest?: SuggestionHrefs | undefined;
  showCategory: boolean;
  partner: boolean;
  statusChips: ChipLink[];
  activeChips: ChipLink[];
  timeLinks: ChipLink[];
  liveLink: ChipLink;
  downloadHref?: string | undefined;
  columnLinks: ChipLink[];
  counter: CounterState;
  events: StoredEvent[];
  ctx: RowContext;
  more?: { page: string; fragment: string } | undefined;
  pollHref?: string | undefined;
  searchError?: string | undefined;
  rangeError?: string | undefined;
  error?: string | undefined;
  empty: string;
  detail?: DetailProps | undefined;
};

function Chips({ chips, label }: { chips: ChipLink[]; label: string }) {
  return (
    <div class="chips" role="group" aria-label={label}>
      {chips.map((c) => (
        <a class="chip" href={c.href} aria-current={c.active ? "true" : undefined} title={c.title}>
          {c.label}
        </a>
      ))}
    </div>
  );
}

export function ExplorerPage(props: ExplorerProps) {
  return (
    <Layout
      title="Events"
      nonce={props.nonce}
      user={props.user}
      project={props.project}
      nav={props.nav}
      timeMode={props.ctx.timeMode}
      boost
    >
      <h1>Events</h1>
      <nav class="tabs" aria-label="Views">
        {props.tabs.map((t) => (
          <a href={t.href} aria-current={t.active ? "page" : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      <FilterBar
        base={props.base}
        form={props.form}
        pickers={props.pickers}
        suggest={props.suggest}
        showCategory={props.showCategory}
        partner={props.partner}
        searchError={props.searchError}
        rangeError={props.rangeError}
      />
      {props.statusChips.length > 0 && <Chips chips={props.statusChips} label="Status" />}
      {props.activeChips.length > 0 && (
        <div class="chips" role="group" aria-label="Active filters">
          {props.activeChips.map((c) => (
            <a class="chip active" href={c.href} title={`Remove ${c.label}`}>
              {c.label}{" "}
              <span class="x" aria-hidden="true">
                ×
              </span>
              <span class="skip">remove</span>
            </a>
          ))}
        </div>
      )}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      <div class="toolbar">
        <div class="group">
          <EventCounter state={props.counter} />
          <a class="chip" href={props.liveLink.href} aria-current={props.liveLink.active ? "true" : undefined}>
            {props.liveLink.label}
          </a>
          {props.downloadHref && (
            <a class="chip" href={props.downloadHref}>
              ⤓ Download
            </a>
          )}
        </div>
        <div class="group">
          <span class="muted">Time:</span>
          <Chips chips={props.timeLinks} label="Time display" />
          <details class="switcher">
            <summary class="chip">Columns</summary>
            <div class="menu" role="group" aria-label="Advanced columns">
              {props.columnLinks.map((c) => (
                <a class="chip" href={c.href} aria-current={c.active ? "true" : undefined}>
                  {c.active ? "✓ " : ""}
                  {c.label}
                </a>
              ))}
            </div>
          </details>
        </div>
      </div>
      {props.pollHref && <LivePoller href={props.pollHref} />}
      <div class="explorer">
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                {props.ctx.columns.map((c) => (
                  <th scope="col">{COLUMN_LABELS[c]}</th>
                ))}
              </tr>
            </thead>
            <tbody id={TARGETS.rows}>
              <EventRows events={props.events} ctx={props.ctx} more={props.more} />
            </tbody>
          </table>
          {props.events.length === 0 && !props.error && !props.searchError && <div class="empty">{props.empty}</div>}
        </div>
        <aside id={TARGETS.detail} class="detail-slot" aria-live="polite">
          {props.detail && <DetailPanel {...props.detail} />}
        </aside>
      </div>
    </Layout>
  );
}

export type DetailProps = {
  event: StoredEvent;
  zone: string;
  timeMode: TimeMode;
  closeHref: string;
  links: { label: string; href: string }[];
};

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

/** Every field of one event; the changes as a before/after table; bodies pretty-printed. */
export function DetailPanel({ event, zone, timeMode, closeHref, links }: DetailProps) {
  const request = event.request;
  const fields: [string, unknown][] = [
    ["Event ID", event.id],
    ["Category", event.category],
    ["Type", event.type],
    ["Action", event.action],
    ["Lifecycle", event.lifecycle_action],
    ["Status", event.status],
    ["Source", event.source],
    ["Organisation", event.organization_id],
    ["Job ID", event.job_id],
    ["Received", event.received_at],
    ["Hash", event.hash],
  ];
  const { body: _body, response_body: _response, query: _query, headers: _headers, ...requestFields } = request ?? {};
  return (
    <div class="detail">
      <div class="toolbar">
        <h2>{event.type}</h2>
        <a href={closeHref} class="button secondary" aria-label="Close details">
          Close
        </a>
      </div>
      {event.summary && <p>{event.summary}</p>}
      {event.message && <Alert kind={statusTone(event) === "bad" ? "error" : "info"}>{event.message}</Alert>}
      <dl>
        <dt>Occurred</dt>
        <dd>
          <Timestamp iso={event.occurred_at} mode={timeMode} zone={zone} />
        </dd>
        {fields
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd class={k === "Hash" || k.endsWith("ID") ? "mono" : undefined}>{show(v)}</dd>
            </>
          ))}
        {event.actor && (
          <>
            <dt>Actor</dt>
            <dd>
              {[event.actor.name, event.actor.email, event.actor.id].filter(Boolean).join(" · ")}
              {event.actor.type && <span class="muted"> ({event.actor.type})</span>}
            </dd>
          </>
        )}
        {event.entity && (
          <>
            <dt>Entity</dt>
            <dd>{[event.entity.type, event.entity.id, event.entity.name].filter(Boolean).join(" · ")}</dd>
          </>
        )}
        {event.targets?.length ? (
          <>
            <dt>Targets</dt>
            <dd>{event.targets.map((t) => [t.type, t.id, t.name].filter(Boolean).join(" · ")).join("; ")}</dd>
          </>
        ) : null}
      </dl>
      {links.length > 0 && (
        <div class="chips" role="group" aria-label="Related events">
          {links.map((l) => (
            <a class="chip" href={l.href}>
              {l.label}
            </a>
          ))}
        </div>
      )}
      {event.changes && Object.keys(event.changes).length > 0 && (
        <>
          <h3>Changes</h3>
          <table class="data">
            <thead>
              <tr>
                <th>Field</th>
                <th>Before</th>
                <th>After</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(event.changes).map(([field, pair]) => {
                const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
                return (
                  <tr>
                    <td class="mono">{field}</td>
                    <td>{show(before)}</td>
                    <td>{show(after)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {request && (
        <>
          <h3>Request</h3>
          <dl>
            {Object.entries(requestFields).map(([k, v]) => (
              <>
                <dt>{k.replace(/_/g, " ")}</dt>
                <dd class="mono">{show(v)}</dd>
              </>
            ))}
          </dl>
          {request.headers !== undefined && (
            <>
              <h4>Headers</h4>
              <Pretty value={request.headers} />
            </>
          )}
          {request.query !== undefined && (
            <>
              <h4>Query</h4>
              <Pretty value={request.query} />
            </>
          )}
          {request.body !== undefined && (
            <>
              <h4>Request body</h4>
              <Pretty value={request.body} />
            </>
          )}
          {request.response_body !== undefined && (
            <>
              <h4>Response body</h4>
              <Pretty value={request.response_body} />
            </>
          )}
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
export function EventPage(props: Frame & { detail: DetailProps }) {
  return (
    <Layout
      title={props.detail.event.type}
      nonce={props.nonce}
      user={props.user}
      project={props.project}
      nav={props.nav}
      timeMode={props.detail.timeMode}
      boost
    >
      <p>
        <a href={props.detail.closeHref}>← Back to events</a>
      </p>
      <DetailPanel {...props.detail} />
    </Layout>
  );
}
