import { Alert } from "../../components/Alert";
import { type ChipLink, Chips } from "../../components/Chips";
import { projectPage } from "../../layouts/page";
import { DetailPanel } from "./Detail";
import { EventTable, LivePoller } from "./EventRows";
import { FilterBar, type FilterBarProps } from "./FilterBar";
import {
  type CounterState,
  type DetailProps,
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

export type ExplorerProps = ExplorerChips &
  FilterBarProps & {
    downloadHref?: string | undefined;
    counter: CounterState;
    events: EventView[];
    ctx: RowContext;
    more?: PageAndFragment | undefined;
    pollHref?: string | undefined;
    error?: string | undefined;
    empty: string;
    detail?: DetailProps | undefined;
  };

export const ExplorerPage = projectPage({
  title: "Events",
  section: "/events",
  boost: true,
  timeMode: (props: ExplorerProps) => props.ctx.timeMode,
  Body: (props) => (
    <>
      <h1>Events</h1>
      <nav class="tabs" aria-label="Views">
        {props.tabs.map((t) => (
          <a href={t.href} aria-current={t.active ? "page" : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      <FilterBar {...props} />
      {props.statusChips.length > 0 && <Chips label="Status" chips={props.statusChips} />}
      {props.activeChips.length > 0 && <ActiveFilters chips={props.activeChips} />}
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
          <Chips label="Time display" chips={props.timeLinks} />
          <details class="switcher">
            <summary class="chip">Columns</summary>
            <Chips label="Advanced columns" chips={props.columnLinks} class="menu" tick />
          </details>
        </div>
      </div>
      {props.pollHref && <LivePoller href={props.pollHref} />}
      <div class="explorer">
        <EventTable
          events={props.events}
          ctx={props.ctx}
          more={props.more}
          empty={props.events.length === 0 && !props.error && !props.searchError ? props.empty : undefined}
        />
        <aside id={TARGETS.detail} class="detail-slot" aria-live="polite">
          {props.detail && <DetailPanel {...props.detail} />}
        </aside>
      </div>
    </>
  ),
});
