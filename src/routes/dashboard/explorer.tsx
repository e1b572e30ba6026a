import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { ChipLink } from "../../../views/components/Chips";
import { DetailPanel, EventPage } from "../../../views/pages/explorer/Detail";
import { EmailStats } from "../../../views/pages/explorer/EmailStats";
import { EventRows, LivePoller } from "../../../views/pages/explorer/EventRows";
import { EventCounter, ExplorerPage } from "../../../views/pages/explorer/ExplorerPage";
import { SuggestionList } from "../../../views/pages/explorer/FilterBar";
import {
  type CounterState,
  type EmailStatsState,
  type EmailStatsView,
  type FieldFilter,
  type Suggestion,
  TARGETS,
} from "../../../views/pages/explorer/model";
import type { ProjectEnv } from "../../env";
import { CursorError, NotFoundError } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { requirePermission } from "../../middleware/session";
import { EMAIL_STATUSES, emailStats } from "../../services/events/email-stats";
import { actionsOf, loadFacets, loadFieldValues, type SuggestedFacet } from "../../services/events/facets";
import type { EventQuery } from "../../services/events/filters";
import { compileFilters, scopeForAccess } from "../../services/events/filters";
import { presetById } from "../../services/events/presets";
import { countEvents, getEvent, listEvents, listNewer } from "../../services/events/query";
import type { StoredEvent } from "../../services/events/schema";
import {
  actorLabel,
  isOrganizationOf,
  organizationIdsStartingWith,
  suggestActors,
  typedText,
} from "../../services/events/suggest";
import { organizationNames, organizationsNamed } from "../../services/projects/organizations";
import {
  compileState,
  type ExplorerState,
  FILTER_KEYS,
  type FilterKey,
  filterLabel,
  parseExplorerState,
  stateQuery,
  withOrganizationNames,
} from "./explorer-state";
import {
  changedGroups,
  detailProps,
  type ExplorerSite,
  explorerChips,
  fieldLabel,
  moreLinks,
  pendingCounter,
  pollHref,
  rowContext,
  typeGroups,
} from "./explorer-view";
import { projectBase, renderPage } from "./frame";
import { proofLine } from "./integrity";
import { timeModeOf } from "./time-display";

type C = Context<ProjectEnv>;

const PAGE_SIZE = 50;
const COLS_COOKIE = "tb_cols";

/** The state of this request, remembering the column choice in a cookie when the URL sets it. */
function readState(c: C) {
  const query = c.req.query();
  const parsed = parseExplorerState(
    query,
    { cols: c.var.embed ? c.var.embed.columns.join(",") || "none" : getCookie(c, COLS_COOKIE), time: timeModeOf(c) },
    c.var.project.timezone,
  );
  if (query.cols !== undefined && !c.var.embed) {
    setCookie(c, COLS_COOKIE, parsed.state.cols.join(",") || "none", {
      path: "/",
      sameSite: "Lax",
      httpOnly: true,
      secure: true,
      maxAge: 365 * 86400,
    });
  }
  // A partner viewer is limited to one organisation, so those controls are not theirs to use; a URL
  // asking for another says so rather than seeming to show it.
  const own = c.var.access.organizationId;
  if (own) {
    const asked = parsed.state.filters.organization_id;
    if (asked && asked !== own)
      parsed.notices.push(`You see organisation ${own} only, so the events shown are limited to it, not ${asked}.`);
    delete parsed.state.filters.organization_id;
    if (parsed.state.searchBy === "organization") {
      parsed.notices.push(`You see organisation ${own} only; the search is over all its fields instead.`);
      parsed.state.searchBy = "all";
    }
  }
  // Configuration activity is for owners and admins; others get the All view.
  if (presetById(parsed.state.view).adminOnly && !can(c.var.access, "events.read_configuration")) {
    parsed.notices.push("The Configuration view is for owners and admins; showing All.");
    parsed.state.view = "all";
  }
  // A view the project hides from this role: its events are out of every list (scopeForAccess).
  const viewCategory = presetById(parsed.state.view).filters.category;
  if (viewCategory && c.var.access.hiddenCategories?.includes(viewCategory)) {
    parsed.notices.push(`The ${presetById(parsed.state.view).label} view is not shown to your role here; showing All.`);
    parsed.state.view = "all";
  }
  return parsed;
}

/** readState, with names resolved. */
async function readNamedState(c: C) {
  const parsed = readState(c);
  return { ...parsed, state: await withOrganizationNames(c.var.ctx, parsed.state) };
}

/**
 * What the filter form's actor and organisation boxes sent, when it is not an id of the project:
 * the start of a name or e-mail, searched for like "search by" (when the search box is free), so
 * the boxes work as plain text fields without script.
 */
async function typedNames(c: C, state: ExplorerState): Promise<boolean> {
  if (state.search) return false;
  const actor = state.filters.actor_id;
  if (actor && !(await actorLabel(c.var.ctx, c.var.access, actor))) {
    state.filters.actor_id = undefined;
    state.search = actor;
    state.searchBy = "actor";
    return true;
  }
  const organization = state.filters.organization_id;
  if (organization && !c.var.access.organizationId && !(await isOrganizationOf(c.var.ctx, organization))) {
    state.filters.organization_id = undefined;
    state.search = organization;
    state.searchBy = "organization";
    return true;
  }
  return false;
}

/** How the chips name the actor and organisation filters: `Jane Doe (u_42)`, `Initech (org_9)`. */
async function filterNames(c: C, state: ExplorerState): Promise<Partial<Record<FilterKey, string>>> {
  const { actor_id: actor, organization_id: organization } = state.filters;
  const [who, orgs] = await Promise.all([
    actor && !actor.includes(",") ? actorLabel(c.var.ctx, c.var.access, actor) : undefined,
    organization ? organizationNames(c.var.ctx, organization.split(",")) : undefined,
  ]);
  const named: Partial<Record<FilterKey, string>> = {};
  const whoName = who?.name || who?.email;
  if (actor && whoName) named.actor_id = `${whoName} (${actor})`;
  if (organization && orgs?.size)
    named.organization_id = organization
      .split(",")
      .map((id) => {
        const name = orgs.get(id.trim());
        return name ? `${name} (${id.trim()})` : id;
      })
      .join(", ");
  return named;
}

const siteOf = (c: C): ExplorerSite => ({
  projectId: c.var.project.id,
  timezone: c.var.project.timezone,
  base: projectBase(c),
  entityLinks: c.var.project.entityLinks,
});

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

const RANGE_WORDS: Record<string, string> = {
  "24h": "the last 24 hours",
  "7d": "the last 7 days",
  "30d": "the last 30 days",
  "90d": "the last 90 days",
  custom: "the From/To range",
};

/**
 * An empty page's explanation: each filter (and the date range) that, taken away alone, would show
 * events, as a link to the view without it. One row is enough to know, so each check reads one.
 */
async function hidingFilters(c: C, state: ExplorerState, site: ExplorerSite): Promise<ChipLink[]> {
  const { project, access } = c.var;
  const base = `${site.base ?? `/p/${site.projectId}`}/events`;
  const without: { label: string; state: ExplorerState }[] = FILTER_KEYS.filter((k) => state.filters[k]).map((k) => ({
    label: `${filterLabel(k)}: ${state.filters[k]}`,
    state: { ...state, filters: { ...state.filters, [k]: undefined } },
  }));
  for (const [key, value] of state.metadata)
    without.push({
      label: `${fieldLabel(state.view, key)}: ${value}`,
      state: { ...state, metadata: state.metadata.filter(([k]) => k !== key) },
    });
  if (state.search) without.push({ label: `search "${state.search}"`, state: { ...state, search: "" } });
  if (state.range !== "all")
    without.push({
      label: RANGE_WORDS[state.range] ?? state.range,
      state: { ...state, range: "all", from: "", to: "" },
    });
  const found = await Promise.all(
    without.slice(0, 8).map(async (w) => {
      const compiled = compileState(w.state, project.timezone, access);
      if (!("query" in compiled)) return false;
      return (await listEvents(c.var.ctx, compiled.query, { limit: 1 })).data.length > 0;
    }),
  );
  return without.filter((_, i) => found[i]).map((w) => ({ label: w.label, href: `${base}${stateQuery(w.state)}` }));
}

/**
 * The Emails view's statistics: of the e-mails the page's filters find in its range, whatever
 * status is picked (so the status figures stay comparable), within the member's access.
 */
async function emailStatsOf(c: C, state: ExplorerState): Promise<EmailStatsView | undefined> {
  if (presetById(state.view).stats !== "email") return undefined;
  const anyStatus: ExplorerState = { ...state, filters: { ...state.filters, status: undefined } };
  const compiled = compileState(anyStatus, c.var.project.timezone, c.var.access);
  if (!("query" in compiled)) return undefined;
  const stats = await emailStats(c.var.ctx, compiled.query);
  const href = (change: Partial<ExplorerState>) => `${projectBase(c)}/events${stateQuery(anyStatus, change)}`;
  const links: EmailStatsView["links"] = { sent: href({}) };
  for (const status of EMAIL_STATUSES) links[status] = href({ filters: { ...anyStatus.filters, status } });
  return {
    totals: stats,
    links,
    byType: stats.byType.map((t) => ({
      ...t,
      href:
        t.type === "(none)"
          ? undefined
          : href({ metadata: [...anyStatus.metadata.filter(([k]) => k !== "template"), ["template", t.type]] }),
    })),
  };
}

/** Where the Emails view's statistics come from after the page (none for other views). */
function pendingStats(c: C, state: ExplorerState): EmailStatsState | undefined {
  if (presetById(state.view).stats !== "email") return undefined;
  const root = projectBase(c);
  return {
    pending: {
      page: `${root}/events${stateQuery(state, {}, { stats: "1" })}`,
      fragment: `${root}/email-stats${stateQuery(state, { cols: [], time: "project", live: false })}`,
    },
  };
}

/**
 * A payment's or e-mail's status history: the newest events of its entity (the entity id's own
 * index), within what the member may see.
 */
async function entityHistory(c: C, state: ExplorerState, event: StoredEvent) {
  const { type, id } = event.entity ?? {};
  if (!type || !id) return undefined;
  const scope = scopeForAccess({ conditions: [{ kind: "entity", type, id, negated: false }], text: [] }, c.var.access);
  const page = await listEvents(c.var.ctx, scope, { limit: 20 });
  const rows = rowContext(state, siteOf(c));
  return page.data.map((e) => ({ event: e, href: rows.detailHref(e.id) }));
}

/** The view's metadata filters, pickers filled with the values the member may see (loadFieldValues). */
async function fieldFilters(c: C, state: ExplorerState): Promise<FieldFilter[]> {
  const preset = presetById(state.view);
  const scope = scopeForAccess(compileFilters(preset.filters, c.var.project.timezone), c.var.access);
  return Promise.all(
    (preset.fields ?? []).flatMap((f) =>
      f.filter
        ? [
            (async (): Promise<FieldFilter> => ({
              key: f.key,
              label: f.label,
              filter: f.filter ?? "text",
              options: f.filter === "picker" ? await loadFieldValues(c.var.ctx, f.key, scope) : [],
            }))(),
          ]
        : [],
    ),
  );
}

function isSuggested(facet: string): facet is SuggestedFacet {
  return facet === "actor_id" || facet === "organization_id";
}

export const explorerPages = new Hono<ProjectEnv>()
  .use(requirePermission("events.read"))
  .get("/events", async (c) => {
    const { project, access } = c.var;
    const parsed = readState(c);
    const { cursor, notices } = parsed;
    // Only what the form sent: a link's actor_id stays an exact id, as in the API.
    const typed = c.req.query("range_was") !== undefined && (await typedNames(c, parsed.state));
    const untidy = parsed.untidy || typed;
    const state = await withOrganizationNames(c.var.ctx, parsed.state);
    const base = `${projectBase(c)}/events`;
    const site = siteOf(c);
    // The clean URL of this state: empty fields and the form's bookkeeping never stay in the address bar.
    if (untidy) {
      const extra: Record<string, string> = {};
      if (cursor) extra.cursor = cursor;
      if (c.req.query("count") === "1") extra.count = "1";
      if (c.req.query("stats") === "1") extra.stats = "1";
      const clean = `${base}${stateQuery(state, {}, extra)}`;
      if (!c.req.header("HX-Request")) return c.redirect(clean, 303);
      c.header("HX-Push-Url", clean);
    }
    const compiled = compileState(state, project.timezone, access);
    const preset = presetById(state.view);
    const isAdmin = can(access, "events.read_configuration");
    const hidden = access.hiddenCategories ?? [];

    // The exact count reads every matching index entry (a million on a wide range), the rows fifty:
    // the counter fragment brings it after the page, unless `count=1` (its no-JavaScript link) asks.
    const withCount = c.req.query("count") === "1";
    // The Emails view's statistics come after the rows too, unless `stats=1` (their link) asks.
    const statsNow = c.req.query("stats") === "1";
    const [facets, fields, stats, list, named] = await Promise.all([
      loadFacets(c.var.ctx, access),
      fieldFilters(c, state),
      statsNow ? emailStatsOf(c, state) : undefined,
      "query" in compiled ? readList(c, compiled.query, cursor, withCount) : undefined,
      filterNames(c, state),
    ]);
    const events = list?.events ?? [];
    const next = list?.next ?? null;
    const error = list?.error;
    const hiding = events.length === 0 && !cursor && "query" in compiled ? await hidingFilters(c, state, site) : [];
    const counter: CounterState = !list
      ? { unavailable: undefined }
      : list.count !== undefined
        ? { count: list.count }
        : pendingCounter(state, site);
    const last = events.at(-1);

    return renderPage(c, ExplorerPage, {
      ...explorerChips(state, site, isAdmin, hidden, named),
      base,
      form: state,
      notices,
      hiding,
      pickers: {
        types: typeGroups(facets.type),
        changed: changedGroups(facets.changed, state.filters.type),
        sources: facets.source,
        categories: facets.category.filter((x) => (x !== "configuration" || isAdmin) && !hidden.includes(x)),
        actions: actionsOf(facets.type),
        actorTypes: facets.actor_type,
        entityTypes: facets.entity_type,
      },
      // A partner or embedded viewer is offered its own organisation's actors only (suggest.ts).
      suggest: {
        actors: `${projectBase(c)}/suggest/actor_id`,
        organizations: access.organizationId ? undefined : `${projectBase(c)}/suggest/organization_id`,
      },
      // A view fixes its category; a category the URL adds to it still shows, so Apply keeps it.
      showCategory: state.view === "all" || Boolean(state.filters.category),
      partner: Boolean(access.organizationId),
      fields,
      emailStats: stats ? { stats } : pendingStats(c, state),
      downloadHref: can(access, "events.export") ? `${projectBase(c)}/exports/new${stateQuery(state)}` : undefined,
      counter,
      events,
      ctx: rowContext(state, site),
      more: next && last ? moreLinks(state, site, last) : undefined,
      pollHref: state.live && !cursor && "query" in compiled ? pollHref(state, site, events[0]) : undefined,
      searchError: "error" in compiled && compiled.field === "search" ? compiled.error : undefined,
      rangeError: "error" in compiled && compiled.field === "range" ? compiled.error : undefined,
      error: error ?? ("error" in compiled && compiled.field === "filters" ? compiled.error : undefined),
      empty: preset.empty,
    });
  })
  .get("/rows", async (c) => {
    // htmx fragments: the next page ("load more", `cursor`) or newer events (live mode, `since`).
    const { project, access } = c.var;
    const { state, cursor } = await readNamedState(c);
    const compiled = compileState(state, project.timezone, access);
    if (!("query" in compiled)) return c.body(null, 204);
    const ctx = rowContext(state, siteOf(c));
    const since = c.req.query("since");
    if (since) {
      const newer = await listNewer(c.var.ctx, compiled.query, since, 100).catch(() => []);
      if (newer.length === 0) return c.body(null, 204);
      return c.html(
        <>
          <EventRows events={newer} ctx={ctx} />
          <LivePoller href={pollHref(state, siteOf(c), newer[0])} oob />
        </>,
      );
    }
    const page = await listEvents(c.var.ctx, compiled.query, { limit: PAGE_SIZE, cursor });
    const last = page.data.at(-1);
    return c.html(
      <EventRows
        events={page.data}
        ctx={ctx}
        more={page.next_cursor && last ? moreLinks(state, siteOf(c), last) : undefined}
      />,
    );
  })
  .get("/count", async (c) => {
    // The counter's fragment: the page's own state and scope, so it counts exactly what is listed.
    const { project, access } = c.var;
    const { state } = await readNamedState(c);
    if (!c.req.header("HX-Request"))
      return c.redirect(`${projectBase(c)}/events${stateQuery(state, {}, { count: "1" })}`, 303);
    const compiled = compileState(state, project.timezone, access);
    if (!("query" in compiled)) return c.html(<EventCounter state={{ unavailable: compiled.error }} />, 400);
    return c.html(<EventCounter state={{ count: await countEvents(c.var.ctx, compiled.query) }} />);
  })
  .get("/email-stats", async (c) => {
    // The statistics' fragment: the page's own state and scope, like the counter's.
    const { state } = readState(c);
    if (!c.req.header("HX-Request"))
      return c.redirect(`${projectBase(c)}/events${stateQuery(state, {}, { stats: "1" })}`, 303);
    const stats = await emailStatsOf(c, state);
    if (!stats) return c.body(null, 204);
    return c.html(<EmailStats state={{ stats }} />);
  })
  .get("/suggest/:facet", async (c) => {
    // Suggestions for the actor and organisation boxes, from what was typed so far; each a link
    // to the page the form is on, filtered by it (the form's fields come along).
    const { access } = c.var;
    const facet = c.req.param("facet");
    if (!isSuggested(facet)) throw new NotFoundError("There is no such list of suggestions.");
    const id = facet === "actor_id" ? TARGETS.actorIds : TARGETS.organizationIds;
    // A partner viewer has no organisation box: one organisation is all it sees.
    if (facet === "organization_id" && access.organizationId) return c.html(<SuggestionList id={id} />);
    const typed = typedText(c.req.query(facet));
    const { state } = readState(c);
    const base = `${projectBase(c)}/events`;
    const pick = (value: string) =>
      `${base}${stateQuery({ ...state, filters: { ...state.filters, [facet]: value }, ...(state.searchBy !== "all" && { search: "", searchBy: "all" }) })}`;
    const by = facet === "actor_id" ? "actor" : "organization";
    const search: Suggestion | undefined = typed
      ? {
          label: `Every ${by === "actor" ? "actor" : "organisation"} matching “${typed}”`,
          href: `${base}${stateQuery({ ...state, filters: { ...state.filters, [facet]: undefined }, search: typed, searchBy: by })}`,
        }
      : undefined;
    let items: Suggestion[];
    if (facet === "actor_id") {
      const found = await suggestActors(c.var.ctx, access, typed);
      items = found.map((a) => {
        const label = a.name || a.email || a.id;
        return {
          label,
          detail: [a.name ? a.email : "", label === a.id ? "" : a.id].filter(Boolean).join(" · "),
          href: pick(a.id),
        };
      });
    } else {
      const [ids, named] = await Promise.all([
        organizationIdsStartingWith(c.var.ctx, typed),
        typed ? organizationsNamed(c.var.ctx, typed) : [],
      ]);
      const names = await organizationNames(c.var.ctx, ids);
      const all = new Map<string, string | undefined>([
        ...named.map((n): [string, string] => [n.id, n.name]),
        ...ids.map((i): [string, string | undefined] => [i, names.get(i)]),
      ]);
      items = [...all].slice(0, 20).map(([orgId, name]) => ({
        label: name ?? orgId,
        detail: name ? orgId : undefined,
        href: pick(orgId),
      }));
    }
    const none = typed ? `No ${by === "actor" ? "actor" : "organisation"} starts with “${typed}”` : undefined;
    return c.html(<SuggestionList id={id} items={items} search={search} none={none} />);
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
    const base = detailProps(state, siteOf(c), event, Boolean(access.organizationId));
    const [proof, history, names] = await Promise.all([
      proofLine(c.var.ctx, event.id),
      base.fields ? entityHistory(c, state, event) : undefined,
      event.organization_id ? organizationNames(c.var.ctx, [event.organization_id]) : undefined,
    ]);
    const detail = {
      ...base,
      proof,
      history,
      organizationName: event.organization_id ? names?.get(event.organization_id) : undefined,
    };
    if (c.req.header("HX-Request") && c.req.header("HX-Target") === TARGETS.detail)
      return c.html(<DetailPanel {...detail} />);
    return renderPage(c, EventPage, { detail });
  });
