import { z } from "zod";
import { ValidationError } from "../../lib/errors";
import type { Access } from "../../lib/permissions";
import { METADATA_KEY } from "../../lib/search-syntax";
import { parseTimeBound, type TimeEdge, timeZoneOffset } from "../../lib/time";
import { toValidationError } from "../../lib/validation";
import { compileFilters, type EventFilters, type EventQuery, scopeForAccess } from "../../services/events/filters";
import { ADVANCED_COLUMNS, type AdvancedColumn, presetById } from "../../services/events/presets";
import { checkQuerySize } from "../../services/events/query";
import { organizationsNamed } from "../../services/projects/organizations";

// The explorer's whole state lives in its URL (README "The dashboard", URLs hold the whole state),
// so any view can be bookmarked, shared, reloaded and walked with back and forward. Defaults are
// left out of URLs to keep them short.

export const RANGES = {
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
  "30d": 30 * 24 * 3600_000,
  "90d": 90 * 24 * 3600_000,
  all: null,
  custom: null,
} as const;
export type Range = keyof typeof RANGES;
export const FILTER_KEYS = [
  "status",
  "category",
  "type",
  "action",
  "source",
  "changed",
  "actor_id",
  "actor_type",
  "organization_id",
  "entity_type",
  "entity_id",
  "request_id",
  "job_id",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

const FILTER_LABELS: Record<FilterKey, string> = {
  status: "status",
  category: "category",
  type: "type",
  action: "action",
  source: "source",
  changed: "changed field",
  actor_id: "actor",
  actor_type: "actor type",
  organization_id: "organisation",
  entity_type: "entity type",
  entity_id: "entity",
  request_id: "request",
  job_id: "job",
};

/** What each filter is called on the page (chips, notices, the empty state). */
export const filterLabel = (key: FilterKey) => FILTER_LABELS[key];

const Fields = {
  view: z.string().trim().max(32, "the view name is longer than 32 characters"),
  range: z.enum(Object.keys(RANGES) as [Range, ...Range[]], "the range is not one of 24h, 7d, 30d, 90d, all, custom"),
  from: z.string().trim().max(64, "the From date is longer than 64 characters"),
  to: z.string().trim().max(64, "the To date is longer than 64 characters"),
  search: z.string().max(2000, "the search is longer than 2,000 characters"),
  search_by: z.enum(["all", "actor", "organization"], "search by is not all, actor or organization"),
  time: z.enum(["project", "local", "utc"], "the time display is not project, local or utc"),
  cols: z.string().trim().max(200, "the columns list is longer than 200 characters"),
  live: z.enum(["1"], "live is not 1"),
  cursor: z.string().trim().max(500, "the page link is longer than 500 characters"),
  ...(Object.fromEntries(
    FILTER_KEYS.map((k) => [k, z.string().trim().max(2000, `${FILTER_LABELS[k]} is longer than 2,000 characters`)]),
  ) as Record<FilterKey, z.ZodString>),
};
type FieldName = keyof typeof Fields;

/** URL parameters naming a metadata field: `metadata.program=Summer`. */
export const METADATA_PARAM = "metadata.";

/** Parameters the explorer reads besides its state: the form's own bookkeeping and the fragments'. */
const OTHER_KEYS = new Set(["range_was", "count", "stats", "since"]);

export type ExplorerState = {
  view: string;
  range: Range;
  from: string;
  to: string;
  search: string;
  searchBy: "all" | "actor" | "organization";
  time: "project" | "local" | "utc";
  cols: AdvancedColumn[];
  live: boolean;
  filters: Partial<Record<FilterKey, string>>;
  /**
   * Metadata filters, `metadata.<key>=value` in the URL (a comma list matches any), as pairs: a
   * key may be any metadata key, `__proto__` included, so never an object's property.
   */
  metadata: [string, string][];
  /**
   * Searching by organisation: the ids of the organisations whose names match what was typed
   * (found in the control database before compiling; README "Filters", organisations by name).
   */
  organizationMatches?: string[] | undefined;
};

export type ParsedState = {
  state: ExplorerState;
  cursor: string | undefined;
  /** The first value that could not be read, if any (the counter cannot count then). */
  problem: string | undefined;
  /** Everything in the URL that is not applied as written, said on the page instead of dropped silently. */
  notices: string[];
  /** The URL had empty or stray parameters: its clean form is `stateQuery(state)`. */
  untidy: boolean;
};

/** What the date inputs (`datetime-local`) show and send: a wall time, read in the project's zone. */
const FORM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/**
 * A wall time in `timeZone` as the date inputs write it: `2026-12-01T13:52:54`, or `2026-12-01T13:00`
 * on a whole minute (browsers drop zero seconds), so a link's dates and the form's agree exactly.
 */
export function formTime(ms: number, timeZone: string): string {
  const wall = new Date(ms + timeZoneOffset(ms, timeZone)).toISOString().slice(0, 19);
  return wall.endsWith(":00") ? wall.slice(0, 16) : wall;
}

/**
 * A From or To bound in the form the date inputs show. Other forms the filters accept (an ISO time
 * with an offset, a bare date, epoch milliseconds) are turned into the same instant's wall time in
 * the project's zone, so the range survives the next Apply; text that is not a time is null.
 */
function formBound(text: string, timeZone: string, edge: TimeEdge): string | null {
  if (FORM_TIME.test(text)) return text;
  const at = parseTimeBound(text, timeZone, edge);
  if (at === null) return null;
  // An end bound is exclusive; the form's To is the last second it includes.
  return formTime(edge === "end" ? at - 1 : at, timeZone);
}

/**
 * The form's To is the last second it includes, all of it: as a filter, the end of that second
 * (`14:00:00` covers 14:00:00.999), so a window ending just before the next whole second (an
 * analytics bucket's) holds exactly its events. Other forms are left to the filters.
 */
function formEnd(to: string, timeZone: string): string {
  if (!FORM_TIME.test(to)) return to;
  const at = parseTimeBound(to, timeZone, "start");
  return at === null ? to : new Date(at + 999).toISOString();
}

/**
 * Reads the URL's query field by field: a value that cannot be read is named in `notices` and
 * ignored, never a crash, and never takes the other filters with it.
 */
export function parseExplorerState(
  query: Record<string, string>,
  remembered: { cols?: string | undefined; time?: ExplorerState["time"] | undefined } = {},
  timeZone = "UTC",
): ParsedState {
  const data: Partial<Record<FieldName, string>> = {};
  const metadata: [string, string][] = [];
  const notices: string[] = [];
  let problem: string | undefined;
  let untidy = false;
  for (const [key, value] of Object.entries(query)) {
    if (value === "") {
      untidy = true;
      continue;
    }
    if (key.startsWith(METADATA_PARAM)) {
      const field = key.slice(METADATA_PARAM.length);
      const text = value.trim();
      if (!METADATA_KEY.test(field)) notices.push(`The URL's "${key}" is not a metadata field and was ignored.`);
      else if (text.length > 2000) {
        const message = `${key} is longer than 2,000 characters`;
        problem ??= message;
        notices.push(`Not applied: ${message}.`);
      } else if (text) metadata.push([field, text]);
      else untidy = true;
      continue;
    }
    if (!Object.hasOwn(Fields, key)) {
      if (!OTHER_KEYS.has(key)) notices.push(`The URL's "${key}" is not a filter here and was ignored.`);
      if (key === "range_was") untidy = true;
      continue;
    }
    const parsed = Fields[key as FieldName].safeParse(value);
    if (parsed.success) data[key as FieldName] = parsed.data;
    else {
      const message = toValidationError(parsed.error, key).errors[0]?.message ?? `${key} is not valid`;
      problem ??= message;
      notices.push(`Not applied: ${message}.`);
    }
  }
  const filters: Partial<Record<FilterKey, string>> = {};
  for (const key of FILTER_KEYS) {
    const value = data[key];
    if (value) filters[key] = value;
  }
  const colsText = data.cols ?? remembered.cols ?? "";
  const cols = colsText
    .split(",")
    .filter((c): c is AdvancedColumn => (ADVANCED_COLUMNS as readonly string[]).includes(c));
  const view = presetById(data.view);
  if (data.view && view.id !== data.view) notices.push(`There is no view "${data.view}"; showing ${view.label}.`);

  // Typing a From or To date means a custom range. The form also sends the range it was shown
  // with (`range_was`): a range chosen in the form wins over dates left in their fields.
  const bounds = { from: data.from ?? "", to: data.to ?? "" };
  // Text that is no time at all stays as it is: compiling it fails, and the range says why.
  for (const edge of ["from", "to"] as const) {
    if (bounds[edge])
      bounds[edge] = formBound(bounds[edge], timeZone, edge === "from" ? "start" : "end") ?? bounds[edge];
  }
  const asked = data.range as Range | undefined;
  const chosenInForm = asked !== undefined && query.range_was !== undefined && query.range_was !== asked;
  const dated = Boolean(bounds.from || bounds.to);
  const range: Range = dated && !chosenInForm ? "custom" : (asked ?? "24h");
  // A link (not the form) asking for a preset range and dates at once: the dates win, and say so.
  if (range === "custom" && asked && asked !== "custom" && query.range_was === undefined)
    notices.push(`The URL asks for range ${asked} and for From/To dates; the From/To dates are applied.`);
  return {
    state: {
      view: view.id,
      range,
      from: range === "custom" ? bounds.from : "",
      to: range === "custom" ? bounds.to : "",
      search: data.search?.trim() ?? "",
      searchBy: (data.search_by as ExplorerState["searchBy"] | undefined) ?? "all",
      time: (data.time as ExplorerState["time"] | undefined) ?? remembered.time ?? "project",
      cols,
      live: data.live === "1",
      filters,
      metadata,
    },
    cursor: data.cursor,
    problem,
    notices,
    untidy,
  };
}

/** The query string of a state, with changes applied; defaults are omitted. */
export function stateQuery(
  state: ExplorerState,
  change: Partial<ExplorerState> = {},
  extra: Record<string, string> = {},
): string {
  const s = { ...state, ...change };
  const params = new URLSearchParams();
  if (s.view !== "all") params.set("view", s.view);
  if (s.range !== "24h") params.set("range", s.range);
  if (s.range === "custom") {
    if (s.from) params.set("from", s.from);
    if (s.to) params.set("to", s.to);
  }
  if (s.search) params.set("search", s.search);
  if (s.search && s.searchBy !== "all") params.set("search_by", s.searchBy);
  for (const key of FILTER_KEYS) {
    const value = s.filters[key];
    if (value) params.set(key, value);
  }
  for (const [key, value] of s.metadata) params.set(`${METADATA_PARAM}${key}`, value);
  if (s.time !== "project") params.set("time", s.time);
  if (s.cols.length) params.set("cols", s.cols.join(","));
  if (s.live) params.set("live", "1");
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const query = params.toString();
  return query ? `?${query}` : "";
}

function quoted(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The metadata filters as search syntax clauses, the one place their keys and lists are read. */
function metadataClauses(state: ExplorerState): string[] {
  return state.metadata.map(([key, value]) => `metadata.${key}:${quoted(value)}`);
}

/** What the search box means: the search syntax, or one actor or organisation. */
function searchQuery(state: ExplorerState): string | undefined {
  if (!state.search) return undefined;
  if (state.searchBy === "actor") return `actor:${quoted(state.search)}`;
  if (state.searchBy === "organization")
    return `org:${quoted([state.search, ...(state.organizationMatches ?? [])].join(","))}`;
  return state.search;
}

/** At most this many organisations a search by organisation name stands for (each is a bound value). */
const NAMED_ORGANIZATIONS = 30;

/**
 * The state with what only the control database knows: the organisations whose names match a
 * search by organisation (README "Filters", organisations by name).
 */
export async function withOrganizationNames(
  ctx: Parameters<typeof organizationsNamed>[0],
  state: ExplorerState,
): Promise<ExplorerState> {
  if (state.searchBy !== "organization" || !state.search) return state;
  const named = await organizationsNamed(ctx, state.search, NAMED_ORGANIZATIONS);
  return { ...state, organizationMatches: named.map((n) => n.id).filter((id) => !id.includes(",")) };
}

function merge(a: EventQuery, b: EventQuery): EventQuery {
  const from = a.from === undefined ? b.from : b.from === undefined ? a.from : Math.max(a.from, b.from);
  const to = a.to === undefined ? b.to : b.to === undefined ? a.to : Math.min(a.to, b.to);
  return {
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    conditions: [...a.conditions, ...b.conditions],
    text: [...a.text, ...b.text],
  };
}

export type CompiledState = { query: EventQuery } | { error: string; field: "search" | "range" | "filters" };

/** The state as a query: the preset, the range, the filters and the search, within the member's access. */
export function compileState(state: ExplorerState, timeZone: string, access: Access, now = Date.now()): CompiledState {
  const preset = presetById(state.view);
  const span = RANGES[state.range];
  const filters: EventFilters = { ...state.filters };
  if (span !== null) filters.from = new Date(now - span).toISOString();
  else if (state.range === "custom") {
    if (state.from) filters.from = state.from;
    if (state.to) filters.to = formEnd(state.to, timeZone);
  }
  let query: EventQuery;
  try {
    query = merge(compileFilters(filters, timeZone), compileFilters(preset.filters, timeZone));
    const fields = metadataClauses(state);
    if (fields.length) query = merge(query, compileFilters({ query: fields.join(" ") }, timeZone));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return {
      error: error.message,
      field: error.errors.some((e) => e.path === "from" || e.path === "to") ? "range" : "filters",
    };
  }
  const search = searchQuery(state);
  if (search) {
    try {
      query = merge(query, compileFilters({ query: search }, timeZone));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { error: (error.errors[0]?.message ?? error.message).replace(/^query: /, ""), field: "search" };
    }
  }
  const scoped = scopeForAccess(query, access);
  try {
    checkQuerySize(scoped);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { error: error.message, field: search ? "search" : "filters" };
  }
  return { query: scoped };
}

/**
 * The state as the filter names of README "Filters" (for exports): the range as from/to, and the
 * view's preset and the search box folded into the search syntax, so both hold together.
 */
export function stateToFilters(state: ExplorerState, timeZone: string, now = Date.now()): EventFilters {
  const preset = presetById(state.view);
  const filters: EventFilters = { ...state.filters };
  const span = RANGES[state.range];
  if (span !== null) filters.from = new Date(now - span).toISOString();
  else if (state.range === "custom") {
    if (state.from) filters.from = state.from;
    if (state.to) filters.to = formEnd(state.to, timeZone);
  }
  const clauses = [
    preset.filters.category && `category:${preset.filters.category}`,
    preset.filters.type && `type:${preset.filters.type}`,
    ...metadataClauses(state),
    searchQuery(state),
  ].filter(Boolean);
  if (clauses.length) filters.query = clauses.join(" ");
  return filters;
}
