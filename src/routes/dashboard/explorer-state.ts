import { z } from "zod";
import { ValidationError } from "../../lib/errors";
import type { Access } from "../../lib/permissions";
import { toValidationError } from "../../lib/validation";
import { compileFilters, type EventFilters, type EventQuery, scopeForAccess } from "../../services/events/filters";
import { ADVANCED_COLUMNS, type AdvancedColumn, presetById } from "../../services/events/presets";
import { checkQuerySize } from "../../services/events/query";

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
  "source",
  "changed",
  "actor_id",
  "organization_id",
  "entity_type",
  "entity_id",
  "request_id",
  "job_id",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

const text = (max: number) => z.string().trim().max(max).optional().catch(undefined);

const Params = z.object({
  view: text(32),
  range: z.enum(Object.keys(RANGES) as [Range, ...Range[]]).optional(),
  from: text(64),
  to: text(64),
  search: z.string().max(2000, "the search is longer than 2,000 characters").optional(),
  search_by: z.enum(["all", "actor", "organization"]).optional(),
  time: z.enum(["project", "local", "utc"]).optional(),
  cols: text(200),
  live: z.enum(["1"]).optional(),
  cursor: text(500),
  ...Object.fromEntries(
    FILTER_KEYS.map((k) => [k, z.string().trim().max(2000, `${k} is longer than 2,000 characters`).optional()]),
  ),
});

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
};

export type ParsedState = { state: ExplorerState; cursor: string | undefined; problem: string | undefined };

/** Reads the URL's query; a value that cannot be read is reported and ignored, never a crash. */
export function parseExplorerState(query: Record<string, string>, rememberedCols: string | undefined): ParsedState {
  const parsed = Params.safeParse(query);
  const data: Record<string, string | undefined> = parsed.success
    ? (parsed.data as Record<string, string | undefined>)
    : {};
  const problem = parsed.success ? undefined : toValidationError(parsed.error, "query").message;
  const filters: Partial<Record<FilterKey, string>> = {};
  for (const key of FILTER_KEYS) {
    const value = data[key];
    if (value) filters[key] = value;
  }
  const colsText = data.cols ?? rememberedCols ?? "";
  const cols = colsText
    .split(",")
    .filter((c): c is AdvancedColumn => (ADVANCED_COLUMNS as readonly string[]).includes(c));
  const from = data.from ?? "";
  const to = data.to ?? "";
  const range = (data.range as Range | undefined) ?? (from || to ? "custom" : "24h");
  return {
    state: {
      view: presetById(data.view).id,
      range,
      from: range === "custom" ? from : "",
      to: range === "custom" ? to : "",
      search: data.search?.trim() ?? "",
      searchBy: (data.search_by as ExplorerState["searchBy"] | undefined) ?? "all",
      time: (data.time as ExplorerState["time"] | undefined) ?? "project",
      cols,
      live: data.live === "1",
      filters,
    },
    cursor: data.cursor,
    problem,
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

/** What the search box means: the search syntax, or one actor or organisation. */
function searchQuery(state: ExplorerState): string | undefined {
  if (!state.search) return undefined;
  if (state.searchBy === "actor") return `actor:${quoted(state.search)}`;
  if (state.searchBy === "organization") return `org:${quoted(state.search)}`;
  return state.search;
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
    if (state.to) filters.to = state.to;
  }
  let query: EventQuery;
  try {
    query = merge(compileFilters(filters, timeZone), compileFilters(preset.filters, timeZone));
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
export function stateToFilters(state: ExplorerState, now = Date.now()): EventFilters {
  const preset = presetById(state.view);
  const filters: EventFilters = { ...state.filters };
  const span = RANGES[state.range];
  if (span !== null) filters.from = new Date(now - span).toISOString();
  else if (state.range === "custom") {
    if (state.from) filters.from = state.from;
    if (state.to) filters.to = state.to;
  }
  const clauses = [
    preset.filters.category && `category:${preset.filters.category}`,
    preset.filters.type && `type:${preset.filters.type}`,
    searchQuery(state),
  ].filter(Boolean);
  if (clauses.length) filters.query = clauses.join(" ");
  return filters;
}
