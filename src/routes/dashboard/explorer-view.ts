import type { ChipLink } from "../../../views/components/Chips";
import type {
  CounterState,
  DetailProps,
  EventView,
  ExplorerChips,
  OutsideLink,
  PageAndFragment,
  RowContext,
} from "../../../views/pages/explorer/model";
import { ADVANCED_COLUMNS, type AdvancedColumn, PRESETS, presetById } from "../../services/events/presets";
import { encodeCursor } from "../../services/events/query";
import { entityLinkHref } from "../../services/projects/entity-links";
import { type ExplorerState, FILTER_KEYS, type FilterKey, filterLabel, stateQuery } from "./explorer-state";

// The explorer's view model: from the URL's state, every link the page and its fragments show, so
// each chip, tab, "load more" and detail link is the same state with one thing changed.

const COLUMN_LABELS: Record<AdvancedColumn, string> = {
  event_id: "Event ID",
  request_id: "Request ID",
  job_id: "Job ID",
  entity_id: "Entity ID",
  request_ip: "IP address",
};

/** The project's explorer: where its links point (`base`: an embedded viewer's session path instead of `/p/<id>`). */
export type ExplorerSite = {
  projectId: string;
  timezone: string;
  base?: string | undefined;
  /** The project's entity links (README "The dashboard", Entity links). */
  entityLinks?: Record<string, string> | undefined;
};

/**
 * The project's links for an event's entity and targets, "View promoter", in that order, each
 * address once (src/services/projects/entity-links.ts fills in and checks each).
 */
export function outsideLinks(links: Record<string, string> | undefined, event: EventView): OutsideLink[] {
  if (!links || Object.keys(links).length === 0) return [];
  const out: OutsideLink[] = [];
  for (const ref of [event.entity, ...(event.targets ?? [])]) {
    const href = entityLinkHref(links, ref?.type, ref?.id);
    if (href && ref?.type && !out.some((l) => l.href === href)) out.push({ label: `View ${ref.type}`, href });
  }
  return out.slice(0, 5);
}

const rootOf = (site: ExplorerSite) => site.base ?? `/p/${site.projectId}`;
const eventsBase = (site: ExplorerSite) => `${rootOf(site)}/events`;

/** Statuses every view offers in its status filter, besides its own. */
const COMMON_STATUSES = ["success", "failure", "info"];

/** What a metadata filter is called on the page: the view's label for it (Payout source), else `metadata.<key>`. */
export function fieldLabel(view: string, key: string): string {
  return (
    presetById(view)
      .fields?.find((f) => f.key === key)
      ?.label.toLowerCase() ?? `metadata.${key}`
  );
}

/** The state without any filter, search or range: what "Clear all" leads to. */
export function cleared(state: ExplorerState): ExplorerState {
  return { ...state, filters: {}, metadata: [], search: "", searchBy: "all", range: "24h", from: "", to: "" };
}

/** The views' tabs (Configuration for those who see it), the preset's status chips and every active filter. */
export function explorerChips(
  state: ExplorerState,
  site: ExplorerSite,
  isAdmin: boolean,
  hiddenCategories: string[] = [],
  /** How a filter's value reads, when it has a name (an actor's, an organisation's): `Jane Doe (u_42)`. */
  named: Partial<Record<FilterKey, string>> = {},
): ExplorerChips {
  const base = eventsBase(site);
  const link = (change: Partial<ExplorerState>, extra?: Record<string, string>) =>
    `${base}${stateQuery(state, change, extra)}`;
  const preset = presetById(state.view);
  const withStatus = (status: string | undefined) => ({ filters: { ...state.filters, status } });

  const shown = (p: (typeof PRESETS)[number]) =>
    (!p.adminOnly || isAdmin) && !(p.filters.category && hiddenCategories.includes(p.filters.category));
  const tabs: ChipLink[] = PRESETS.filter(shown).map((p) => ({
    label: p.label,
    // A view's metadata filters (payout source, recipient) are its own: another view starts without them.
    href: link({ view: p.id, ...withStatus(undefined), metadata: [] }),
    active: p.id === state.view,
  }));
  const statusChips: ChipLink[] = preset.statuses.length
    ? [
        { label: "List all", href: link(withStatus(undefined)), active: !state.filters.status },
        ...preset.statuses.map((s) => ({ label: s, href: link(withStatus(s)), active: state.filters.status === s })),
      ]
    : [];
  const activeChips: ChipLink[] = FILTER_KEYS.filter((k) => state.filters[k]).map((k) => ({
    label: `${filterLabel(k)}: ${named[k] ?? state.filters[k] ?? ""}`,
    href: link({ filters: { ...state.filters, [k]: undefined } }),
  }));
  for (const [key, value] of state.metadata) {
    activeChips.push({
      label: `${fieldLabel(state.view, key)}: ${value}`,
      href: link({ metadata: state.metadata.filter(([k]) => k !== key) }),
    });
  }
  if (state.search) activeChips.push({ label: `search: ${state.search}`, href: link({ search: "" }) });
  const columnLinks: ChipLink[] = ADVANCED_COLUMNS.map((col) => {
    const on = state.cols.includes(col);
    const cols = on ? state.cols.filter((x) => x !== col) : [...state.cols, col];
    return { label: COLUMN_LABELS[col], href: link({ cols }, cols.length ? {} : { cols: "none" }), active: on };
  });
  const liveLink: ChipLink = {
    label: state.live ? "● Live" : "Live",
    href: link({ live: !state.live }),
    active: state.live,
  };
  const filtered = activeChips.length > 0 || state.range !== "24h";
  return {
    tabs,
    statusChips,
    activeChips,
    liveLink,
    columnLinks,
    statuses: [...new Set([...preset.statuses, ...COMMON_STATUSES])],
    clearHref: filtered ? `${base}${stateQuery(cleared(state))}` : undefined,
  };
}

const ENTITY_TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/i;

/**
 * The type picker's groups: event types named `entity.action` by their entity (`commission.*`),
 * anything else — API requests such as `GET /v1/customers`, single words — in one plain group,
 * never offered as a fake `….*` group.
 */
export function typeGroups(types: string[]): { group: string; values: string[]; all: boolean }[] {
  const groups = new Map<string, string[]>();
  const other: string[] = [];
  for (const type of types) {
    if (!ENTITY_TYPE.test(type)) {
      other.push(type);
      continue;
    }
    const group = type.slice(0, type.lastIndexOf("."));
    groups.set(group, [...(groups.get(group) ?? []), type]);
  }
  const grouped = [...groups].map(([group, values]) => ({ group, values, all: true }));
  return other.length ? [...grouped, { group: "Other types", values: other, all: false }] : grouped;
}

/** The changed fields of the chosen type's entity (`commission.updated` → `commission.…`), or all of them. */
export function changedGroups(changed: string[], type: string | undefined): { group: string; values: string[] }[] {
  const grouped = typeGroups(changed).map(({ group, values }) => ({ group, values }));
  const entity =
    type && ENTITY_TYPE.test(type.replace(/\.\*$/, ".x")) ? type.slice(0, type.lastIndexOf(".")) : undefined;
  if (!entity) return grouped;
  const narrowed = grouped.filter((g) => g.group === entity);
  return narrowed;
}

/** The view's columns and time display; each row's detail opens at the event's URL with the same state. */
export function rowContext(state: ExplorerState, site: ExplorerSite): RowContext {
  const base = eventsBase(site);
  const query = stateQuery(state);
  return {
    columns: [...presetById(state.view).columns, ...state.cols],
    timeMode: state.time,
    zone: site.timezone,
    detailHref: (id) => ({
      page: `${base}/${encodeURIComponent(id)}${query}`,
      fragment: `${base}/${encodeURIComponent(id)}${query}`,
    }),
    outsideLinks: (event) => outsideLinks(site.entityLinks, event),
  };
}

function cursorOf(event: EventView): string {
  return encodeCursor(Date.parse(event.occurred_at), event.id);
}

/** Links for the rows after `last`: the page (without JavaScript) and the htmx fragment. */
export function moreLinks(state: ExplorerState, site: ExplorerSite, last: EventView): PageAndFragment {
  const cursor = cursorOf(last);
  return {
    page: `${rootOf(site)}/events${stateQuery(state, {}, { cursor })}`,
    fragment: `${rootOf(site)}/rows${stateQuery(state, {}, { cursor })}`,
  };
}

/** Live mode's poll for events newer than `newest` (or than now, on an empty page). */
export function pollHref(state: ExplorerState, site: ExplorerSite, newest: EventView | undefined): string {
  const since = newest ? cursorOf(newest) : encodeCursor(Date.now(), "");
  return `${rootOf(site)}/rows${stateQuery(state, {}, { since })}`;
}

/**
 * The counter of a page still to be counted: htmx asks the fragment for it on load; without
 * JavaScript the link loads the same page with the count in it. The fragment's URL carries only
 * what changes the number.
 */
export function pendingCounter(state: ExplorerState, site: ExplorerSite): CounterState {
  return {
    pending: {
      page: `${rootOf(site)}/events${stateQuery(state, {}, { count: "1" })}`,
      fragment: `${rootOf(site)}/count${stateQuery(state, { cols: [], time: "project", live: false })}`,
    },
  };
}

/**
 * One event's detail: links to the events of its request, actor, entity and organisation (not for
 * a partner viewer, who sees one organisation), and back to the list it was opened from.
 */
export function detailProps(state: ExplorerState, site: ExplorerSite, event: EventView, partner: boolean): DetailProps {
  const base = eventsBase(site);
  // Related events keep the view's time display but drop its filters and date range.
  const related = (filters: ExplorerState["filters"]) =>
    `${base}${stateQuery({ ...state, filters, metadata: [], range: "all", search: "", view: "all" })}`;
  const links: DetailProps["links"] = [];
  if (event.request?.id)
    links.push({ label: "All events of this request", href: related({ request_id: event.request.id }) });
  if (event.actor?.id) links.push({ label: "This actor", href: related({ actor_id: event.actor.id }) });
  if (event.entity?.type && event.entity.id)
    links.push({ label: "This entity", href: related({ entity_type: event.entity.type, entity_id: event.entity.id }) });
  if (event.organization_id && !partner)
    links.push({ label: "This organisation", href: related({ organization_id: event.organization_id }) });
  return {
    event,
    zone: site.timezone,
    timeMode: state.time,
    closeHref: `${base}${stateQuery(state)}`,
    links,
    outside: outsideLinks(site.entityLinks, event),
    fields: viewFields(event),
  };
}

/** The metadata fields the view of an event's category reads (README "Payments and e-mails"), those it has. */
export function viewFields(event: EventView): DetailProps["fields"] {
  const preset = PRESETS.find((p) => p.fields && p.filters.category === event.category);
  const metadata = event.metadata ?? {};
  const fields = (preset?.fields ?? []).flatMap((f) => {
    const value = Object.hasOwn(metadata, f.key) ? metadata[f.key] : undefined;
    if (value === undefined || value === null || typeof value === "object") return [];
    const text = String(value);
    return [{ label: f.label, value: text, time: f.key.endsWith("_at") && !Number.isNaN(Date.parse(text)) }];
  });
  return fields.length ? fields : undefined;
}
