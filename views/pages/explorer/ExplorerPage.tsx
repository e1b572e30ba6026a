import { Alert } from "../../components/Alert";
import { type ChipLink, Chips } from "../../components/Chips";
import { projectPage } from "../../layouts/page";
import { DetailPanel } from "./Detail";
import { EmailStats } from "./EmailStats";
import { EventTable, LivePoller } from "./EventRows";
import { FilterBar, type FilterBarProps } from "./FilterBar";
import {
  type CounterState,
  type DetailProps,
  type EmailStatsState,
  type EventView,
  type ExplorerChips,
  type PageAndFragment,
  type RowContext,
  TARGETS,
} from "./model";

// The log explorer (README "The dashboard", Events): the views as tabs, the filter bar, the chips
// of the status and of every active filter, the toolbar, the table and the detail panel.

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

/** Every active filter as a chip that removes it. */
function ActiveFilters({ chips }: { chips: ChipLink[] }) {
  return (
    <div class="chips" role="group" aria-label="Active filters">
      {chips.map((c) => (
        <a class="chip active" href={c.href} title={`Remove ${c.label}`}>
          {c.label}{" "}
          <span class="x" aria-hidden="true">
            ×
          </span>
          <span class="skip">remove</span>
        </a>
      ))}
    </div>
  );
}

/** Why the table is empty: the filters that hide its rows, each a link to the view without it. */
function EmptyState(props: { empty: string; hiding: ChipLink[]; filtered: boolean; clearHref?: string | undefined }) {
  if (!props.filtered) return <div class="empty">{props.empty}</div>;
  return (
    <div class="empty">
      {props.hiding.length > 0 ? (
        <>
          No events match all these filters. Rows are hidden by{" "}
          {props.hiding.map((c, i) => (
            <>
              {i > 0 && (i === props.hiding.length - 1 ? " or " : ", ")}
              <a href={c.href} title={`Show the events without ${c.label}`}>
                {c.label}
              </a>
            </>
          ))}
          : remove it to see them.
        </>
      ) : (
        <>No events match, even with any one filter removed.</>
      )}{" "}
      {props.clearHref && <a href={props.clearHref}>Clear all filters</a>}
    </div>
  );
}

export type ExplorerProps = ExplorerChips &
  FilterBarProps & {
    downloadHref?: string | undefined;
    counter: CounterState;
    events: EventView[];
    ctx: RowContext;
    more?: PageAndFragment | undefined;
    pollHref?: string | undefined;
    error?: string | undefined;
    /** What in the URL was not applied as written. */
    notices: string[];
    empty: string;
    /** With no rows: the filters (and range) whose removal would show some. */
    hiding: ChipLink[];
    detail?: DetailProps | undefined;
    /** The Emails view's statistics of its range. */
    emailStats?: EmailStatsState | undefined;
  };

export const ExplorerPage = projectPage({
  title: "Events",
  section: "/events",
  boost: true,
  Body: (props: ExplorerProps) => (
    <>
      <h1 class="skip">Events</h1>
      <nav class="tabs" aria-label="Views">
        {props.tabs.map((t) => (
          <a href={t.href} aria-current={t.active ? "page" : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      <FilterBar {...props} />
      {props.notices.length > 0 && (
        <Alert kind="info">
          {props.notices.map((n) => (
            <div>{n}</div>
          ))}
        </Alert>
      )}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.emailStats && <EmailStats state={props.emailStats} />}
      <div class="toolbar">
        <div class="group">
          <EventCounter state={props.counter} />
          {props.statusChips.length > 0 && <Chips label="Status" chips={props.statusChips} />}
          {props.activeChips.length > 0 && <ActiveFilters chips={props.activeChips} />}
        </div>
        <div class="group">
          <a class="chip" href={props.liveLink.href} aria-current={props.liveLink.active ? "true" : undefined}>
            {props.liveLink.label}
          </a>
          {props.downloadHref && (
            <a class="chip" href={props.downloadHref}>
              ⤓ Download
            </a>
          )}
          <details class="switcher">
            <summary class="chip">Columns</summary>
            <Chips label="Advanced columns" chips={props.columnLinks} class="menu" tick />
          </details>
        </div>
      </div>
      {props.pollHref && <LivePoller href={props.pollHref} />}
      <EventTable events={props.events} ctx={props.ctx} more={props.more} />
      {props.events.length === 0 && !props.error && !props.searchError && (
        <EmptyState
          empty={props.empty}
          hiding={props.hiding}
          filtered={props.activeChips.length > 0 || props.form.range !== "24h"}
          clearHref={props.clearHref}
        />
      )}
      {/* The drawer: an event's detail over the table, not beside it (views/assets-app.ts). */}
      <aside id={TARGETS.detail} class="drawer" aria-label="Event details">
        {props.detail && <DetailPanel {...props.detail} />}
      </aside>
    </>
  ),
});
