import type { FilterWords } from "../../../views/components/filter-words";
import { parseTimeBound } from "../../lib/time";
import { PRESETS } from "../../services/events/presets";
import { RANGES } from "./explorer-state";

// Filters in words ("Payments · failed · last 7 days") for the export and task pages, instead of
// the search syntax and ISO times they are stored as.

const CATEGORY_LABELS = new Map(
  PRESETS.filter((p) => p.filters.category && !p.filters.type).map((p) => [p.filters.category, p.label]),
);

const RANGE_WORDS: Partial<Record<keyof typeof RANGES, string>> = {
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
  "90d": "last 90 days",
};

function term(key: string, value: string): string {
  switch (key) {
    case "category":
      return CATEGORY_LABELS.get(value) ?? `category ${value}`;
    case "status":
      return value;
    case "type":
      return `type ${value}`;
    case "source":
      return `source ${value}`;
    case "changed":
      return `changed ${value}`;
    case "actor":
    case "actor_id":
      return `actor ${value}`;
    case "org":
    case "organization_id":
      return `organisation ${value}`;
    case "entity_type":
      return `entity type ${value}`;
    case "entity_id":
      return `entity ${value}`;
    case "request_id":
    case "request":
      return `request ${value}`;
    case "job_id":
    case "job":
      return `job ${value}`;
    case "ip":
      return `IP ${value}`;
    default:
      if (key.startsWith("metadata.")) return `${key.slice("metadata.".length).replace(/_/g, " ")} ${value}`;
      return `${key.replace(/_/g, " ")} ${value}`;
  }
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, "$1") : v);

/** The search syntax as words: `category:payment -source:api "late"` → Payments · not source api · "late". */
function queryWords(query: string): string[] {
  const words: string[] = [];
  const text: string[] = [];
  for (const m of query.matchAll(/(-?)([a-z_]+|metadata\.[\w-]+):("(?:[^"\\]|\\.)*"|\S+)|("(?:[^"\\]|\\.)*"|\S+)/gi)) {
    const [, not, key, value, bare] = m;
    if (key && value !== undefined) words.push(`${not ? "not " : ""}${term(key.toLowerCase(), unquote(value))}`);
    else if (bare) text.push(bare);
  }
  if (text.length) words.push(`search ${text.join(" ")}`);
  return words;
}

/**
 * The stored filters of an export in words; the time bounds stay instants, for the page to show in
 * the viewer's time display. An export started from a preset range ("last 7 days") says so.
 */
export function describeFilters(filters: Record<string, string>, timeZone: string, madeAt: number): FilterWords {
  // The view (category, type) and search first, as the explorer's tabs come before its filters.
  const words = filters.query ? queryWords(filters.query) : [];
  for (const [key, value] of Object.entries(filters)) {
    if (key === "from" || key === "to" || key === "query" || !value) continue;
    words.push(term(key, value));
  }
  const from = filters.from ? parseTimeBound(filters.from, timeZone, "start") : null;
  // The end is exclusive; the page names the last moment included, as the explorer's To does.
  const end = filters.to ? parseTimeBound(filters.to, timeZone, "end") : null;
  const to = end === null ? null : end - 1;
  if (from !== null && to === null) {
    // The explorer's presets are stored as a start this long before the export was asked for.
    const preset = (Object.keys(RANGE_WORDS) as (keyof typeof RANGES)[]).find(
      (k) => Math.abs(madeAt - from - (RANGES[k] ?? 0)) < 5 * 60_000,
    );
    if (preset) return { words: [...words, RANGE_WORDS[preset] ?? ""], from: null, to: null };
  }
  return { words, from, to };
}
