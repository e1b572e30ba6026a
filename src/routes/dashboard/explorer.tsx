import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import {
  type ChipLink,
  type CounterState,
  DetailPanel,
  type DetailProps,
  EventCounter,
  EventPage,
  EventRows,
  ExplorerPage,
  LivePoller,
  type RowContext,
  SuggestionList,
  TARGETS,
} from "../../../views/pages/Explorer";
import type { ProjectEnv } from "../../env";
import { CursorError, NotFoundError } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { requirePermission } from "../../middleware/session";
import { groupByEntity, loadFacets, type SuggestedFacet, suggestFacet } from "../../services/events/facets";
import type { EventQuery } from "../../services/events/filters";
import { scopeForAccess } from "../../services/events/filters";
import { ADVANCED_COLUMNS, type AdvancedColumn, PRESETS, presetById } from "../../services/events/presets";
import { countEvents, encodeCursor, getEvent, listEvents, listNewer } from "../../services/events/query";
import type { StoredEvent } from "../../services/events/schema";
import {
  compileState,
  type ExplorerState,
  FILTER_KEYS,
  type FilterKey,
  parseExplorerState,
  stateQuery,
} from "./explorer-state";
import { frame } from "./frame";

type C = Context<ProjectEnv>;

const PAGE_SIZE = 50;
const COLS_COOKIE = "tb_cols";
const FILTER_LABELS: Record<FilterKey, string> = {
  status: "status",
  category: "category",
  type: "type",
  source: "source",
  changed: "changed",
  actor_id: "actor",
  organization_id: "organisation",
  entity_type: "entity type",
  entity_id: "entity",
  request_id: "request",
  job_id: "job",
};
const COLUMN_LABELS: Record<AdvancedColumn, string> = {
  event_id: "Event ID",
  request_id: "Request ID",
  job_id: "Job ID",
  entity_id: "Entity ID",
};

/** The state of this request, remembering the column choice in a cookie when the URL sets it. */
function readState(c: C) {
  const query = c.req.query();
  const parsed = parseExplorerState(query, getCookie(c, COLS_COOKIE));
  if (query.cols !== undefined) {
    setCookie(c, COLS_COOKIE, parsed.state.cols.join(",") || "none", {
      path: "/",
      sameSite: "Lax",
      httpOnly: true,
      secure: true,
      maxAge: 365 * 86400,
    });
  }
  // A partner viewer is limited to one organisation, so those controls are not theirs to use.
  if (c.var.access.organizationId) {
    delete parsed.state.filters.organization_id;
    if (parsed.state.searchBy === "organization") parsed.state.searchBy = "all";
  }
  // Configuration activity is for owners and admins; others get the All view.
  if (presetById(parsed.state.view).adminOnly && !can(c.var.access.role, "events.read_configuration"))
    parsed.state.view = "all";
  return parsed;
}

function rowContext(c: C, state: ExplorerState): RowContext {
  const base = `/p/${c.var.project.id}/events`;
  const query = stateQuery(state);
  return {
    columns: [...presetById(state.view).columns, ...state.cols],
    timeMode: state.time,
    zone: c.var.project.timezone,
    detailHref: (id) => ({
      page: `${base}/${encodeURIComponent(id)}${query}`,
      fragment: `${base}/${encodeURIComponent(id)}${query}`,
    }),
  };
}

function cursorOf(event: StoredEvent): string {
  return encodeCursor(Date.parse(event.occurred_at), event.id);
}

/** Links for the rows after `last`: the page (without JavaScript) and the htmx fragment. */
function moreLinks(c: C, state: ExplorerState, last: StoredEvent) {
  const cursor = cursorOf(last);
  return {
    page: `/p/${c.var.project.id}/events${stateQuery(state, {}, { cursor })}`,
    fragment: `/p/${c.var.project.id}/rows${stateQuery(state, {}, { cursor })}`,
  };
}

function pollHref(c: C, state: ExplorerState, newest: StoredEvent | undefined): string {
  const since = newest ? cursorOf(newest) : encodeCursor(Date.now(), "");
  return `/p/${c.var.project.id}/rows${stateQuery(state, {}, { since })}`;
}

/**
 * The counter of a page still to be counted: htmx asks the fragment for it on load; without
 * JavaScript the link loads the same page with the count in it. The fragment's URL carries only
 * what changes the number.
 */
function pendingCounter(c: C, state: ExplorerState): CounterState {
  return {
    pending: {
      page: `/p/${c.var.project.id}/events${stateQuery(state, {}, { count: "1" })}`,
      fragment: `/p/${c.var.project.id}/count${stateQuery(state, { cols: [], time: "project", live: false })}`,
    },
  };
}

/** The page's rows (and, when asked for, the count); a cursor that cannot be read starts again from the top. */
async function readList(c: C, query: EventQuery, cursor: string | undefined, withCount: boolean) {
  try {
    const [page, count] = await Promise.all([
      listEvents(c.var.ctx, query, { limit: PAGE_SIZE, cursor }),
      withCount ? countEvents(c.var.ctx, query) : undefined,
    ]);
    return { events: page.data, next: page.next_cursor, count, error: undefined };
  } catch (e) {
    // Only a hand-edited cursor can fail here.
    if (!(e instanceof CursorError)) throw e;
    return {
      events: [],
      next: null,
      count: undefined,
      error: "That page link is not valid any more; showing the newest events.",
    };
  }
}

function isSuggested(facet: string): facet is SuggestedFacet {
  return facet === "actor_id" || facet === "organization_id";
}

function detailProps(c: C, state: ExplorerState, event: StoredEvent): DetailProps {
  const base = `/p/${c.var.project.id}/events`;
  // Related events keep the view's time display but drop its filters and date range.
  const related = (filters: ExplorerState["filters"]) =>
    `${base}${stateQuery({ ...state, filters, range: "all", search: "", view: "all" })}`;
  const links: DetailProps["links"] = [];
  if (event.request?.id)
    links.push({ label: "All events of this request", href: related({ request_id: event.request.id }) });
  if (event.actor?.id) links.push({ label: "This actor", href: related({ actor_id: event.actor.id }) });
  if (event.entity?.type && event.entity.id)
    links.push({ label: "This entity", href: related({ entity_type: event.entity.type, entity_id: event.entity.id }) });
  if (event.organization_id && !c.var.access.organizationId)
    links.push({ label: "This organisation", href: related({ organization_id: event.organization_id }) });
  return { event, zone: c.var.project.timezone, timeMode: state.time, closeHref: `${base}${stateQuery(state)}`, links };
}

export const explorerPages = new Hono<ProjectEnv>()
  .use(requirePermission("events.read"))
  .get("/events", async (c) => {
    const { project, access } = c.var;
    const { state, cursor, problem } = readState(c);
    const base = `/p/${project.id}/events`;
    const compiled = compileState(state, project.timezone, access);
    const preset = presetById(state.view);
    const isAdmin = can(access.role, "events.read_configuration");

    // The exact count reads every matching index entry (a million on a wide range), the rows fifty:
    // the counter fragment brings it after the page, unless `count=1` (its no-JavaScript link) asks.
    const withCount = c.req.query("count") === "1";
    const [facets, list] = await Promise.all([
      loadFacets(c.var.ctx, access),
      "query" in compiled ? readList(c, compiled.query, cursor, withCount) : undefined,
    ]);
    const events = list?.events ?? [];
    const next = list?.next ?? null;
    const error = list?.error ?? problem;
    const counter: CounterState = !list
      ? { unavailable: undefined }
      : list.count !== undefined
        ? { count: list.count }
        : pendingCounter(c, state);
    const ctx = rowContext(c, state);
    const last = events.at(-1);

    const tabs: ChipLink[] = PRESETS.filter((p) => !p.adminOnly || isAdmin).map((p) => ({
      label: p.label,
      href: `${base}${stateQuery(state, { view: p.id, filters: { ...state.filters, status: undefined } })}`,
      active: p.id === state.view,
    }));
    const statusChips: ChipLink[] = preset.statuses.length
      ? [
          {
            label: "List all",
            href: `${base}${stateQuery(state, { filters: { ...state.filters, status: undefined } })}`,
            active: !state.filters.status,
          },
          ...preset.statuses.map((s) => ({
            label: s,
            href: `${base}${stateQuery(state, { filters: { ...state.filters, status: s } })}`,
            active: state.filters.status === s,
          })),
        ]
      : [];
    const activeChips: ChipLink[] = FILTER_KEYS.filter((k) => state.filters[k]).map((k) => ({
      label: `${FILTER_LABELS[k]}: ${state.filters[k] ?? ""}`,
      href: `${base}${stateQuery(state, { filters: { ...state.filters, [k]: undefined } })}`,
    }));
    if (state.search)
      activeChips.push({ label: `search: ${state.search}`, href: `${base}${stateQuery(state, { search: "" })}` });
    const timeLinks: ChipLink[] = (["project", "local", "utc"] as const).map((mode) => ({
      label: mode === "project" ? `Project (${project.timezone})` : mode === "local" ? "Local" : "UTC",
      href: `${base}${stateQuery(state, { time: mode })}`,
      active: state.time === mode,
    }));
    const columnLinks: ChipLink[] = ADVANCED_COLUMNS.map((col) => {
      const on = state.cols.includes(col);
      const cols = on ? state.cols.filter((x) => x !== col) : [...state.cols, col];
      return {
        label: COLUMN_LABELS[col],
        href: `${base}${stateQuery(state, { cols }, cols.length ? {} : { cols: "none" })}`,
        active: on,
      };
    });

    return c.html(
      <ExplorerPage
        {...frame(c, "/events")}
        base={base}
        tabs={tabs}
        form={state}
        pickers={{
          types: groupByEntity(facets.type),
          changed: groupByEntity(facets.changed),
          sources: facets.source,
          categories: facets.category.filter((x) => x !== "configuration" || isAdmin),
        }}
        // Ids are project-wide, so a partner viewer gets no suggestions from other organisations.
        suggest={
          access.organizationId
            ? undefined
            : { actors: `/p/${project.id}/suggest/actor_id`, organizations: `/p/${project.id}/suggest/organization_id` }
        }
        showCategory={state.view === "all"}
        partner={Boolean(access.organizationId)}
        statusChips={statusChips}
        activeChips={activeChips}
        timeLinks={timeLinks}
        liveLink={{
          label: state.live ? "● Live" : "Live",
          href: `${base}${stateQuery(state, { live: !state.live })}`,
          active: state.live,
        }}
        columnLinks={columnLinks}
        downloadHref={
          can(access.role, "events.export") ? `/p/${project.id}/exports/new${stateQuery(state)}` : undefined
        }
        counter={counter}
        events={events}
        ctx={ctx}
        more={next && last ? moreLinks(c, state, last) : undefined}
        pollHref={state.live && !cursor && "query" in compiled ? pollHref(c, state, events[0]) : undefined}
        searchError={"error" in compiled && compiled.field === "search" ? compiled.error : undefined}
        rangeError={"error" in compiled && compiled.field === "range" ? compiled.error : undefined}
        error={error ?? ("error" in compiled && compiled.field === "filters" ? compiled.error : undefined)}
        empty={preset.empty}
      />,
    );
  })
  .get("/rows", async (c) => {
    // htmx fragments: the next page ("load more", `cursor`) or newer events (live mode, `since`).
    const { project, access } = c.var;
    const { state, cursor } = readState(c);
    const compiled = compileState(state, project.timezone, access);
    if (!("query" in compiled)) return c.body(null, 204);
    const ctx = rowContext(c, state);
    const since = c.req.query("since");
    if (since) {
      const newer = await listNewer(c.var.ctx, compiled.query, since, 100).catch(() => []);
      if (newer.length === 0) return c.body(null, 204);
      return c.html(
        <>
          <EventRows events={newer} ctx={ctx} />
          <LivePoller href={pollHref(c, state, newer[0])} oob />
        </>,
      );
    }
    const page = await listEvents(c.var.ctx, compiled.query, { limit: PAGE_SIZE, cursor });
    const last = page.data.at(-1);
    return c.html(
      <EventRows
        events={page.data}
        ctx={ctx}
        more={page.next_cursor && last ? moreLinks(c, state, last) : undefined}
      />,
    );
  })
  .get("/count", async (c) => {
    // The counter's fragment: the page's own state and scope, so it counts exactly what is listed.
    const { project, access } = c.var;
    const { state, problem } = readState(c);
    if (!c.req.header("HX-Request"))
      return c.redirect(`/p/${project.id}/events${stateQuery(state, {}, { count: "1" })}`, 303);
    const compiled = compileState(state, project.timezone, access);
    if (problem || !("query" in compiled))
      return c.html(
        <EventCounter state={{ unavailable: problem ?? ("error" in compiled ? compiled.error : undefined) }} />,
        400,
      );
    return c.html(<EventCounter state={{ count: await countEvents(c.var.ctx, compiled.query) }} />);
  })
  .get("/suggest/:facet", async (c) => {
    // Suggestions for the actor and organisation boxes, from what was typed so far.
    const { access } = c.var;
    const facet = c.req.param("facet");
    if (!isSuggested(facet)) throw new NotFoundError("There is no such list of suggestions.");
    const id = facet === "actor_id" ? TARGETS.actorIds : TARGETS.organizationIds;
    // Ids are project-wide: a partner viewer would see other organisations' actors in them.
    if (access.organizationId) return c.html(<SuggestionList id={id} values={[]} />);
    const typed = (c.req.query(facet) ?? "").trim().slice(0, 200);
    return c.html(<SuggestionList id={id} values={await suggestFacet(c.var.ctx, facet, typed)} />);
  })
  .get("/events/:eventId", async (c) => {
    const { access } = c.var;
    const { state } = readState(c);
    const event = await getEvent(
      c.var.ctx,
      c.req.param("eventId"),
      scopeForAccess({ conditions: [], text: [] }, access),
    );
    if (!event) throw new NotFoundError("There is no event with this id in this project.");
    const detail = detailProps(c, state, event);
    if (c.req.header("HX-Request") && c.req.header("HX-Target") === TARGETS.detail)
      return c.html(<DetailPanel {...detail} />);
    return c.html(<EventPage {...frame(c, "/events")} detail={detail} />);
  });
