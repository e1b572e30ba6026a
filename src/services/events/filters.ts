import { z } from "zod";
import { ValidationError } from "../../lib/errors";
import { type Access, can } from "../../lib/permissions";
import { METADATA_KEY, parseSearchQuery, type SearchClause, SearchSyntaxError } from "../../lib/search-syntax";
import { parseTimeBound } from "../../lib/time";
import { storableText } from "../../lib/validation";

// Filters (README "Filters"): the same names in API query strings, dashboard URLs and export requests.

const list = storableText().max(2_000);

export const EventFilters = z
  .strictObject({
    from: storableText()
      .max(64)
      .optional()
      .describe("ISO date or time; without an offset it is read in the project's timezone."),
    to: storableText().max(64).optional().describe("ISO date or time (a bare date includes that whole day)."),
    category: list.optional().describe("Comma list."),
    type: list.optional().describe("Comma list; `commission.*` matches a prefix."),
    action: list
      .optional()
      .describe("Comma list of actions, the text after a type's last dot (`created`, `login`), across entity types."),
    status: list.optional(),
    source: list.optional(),
    actor_id: list.optional(),
    actor_type: list.optional(),
    entity_type: list.optional(),
    entity_id: list.optional(),
    organization_id: list.optional(),
    request_id: list.optional(),
    job_id: list.optional(),
    ip: list.optional().describe("Comma list of request IP addresses (`request.ip`)."),
    changed: list.optional().describe("A changed field: `status`, or `commission.status`."),
    q: storableText().max(500).optional().describe("Full text over summary, message, ids and changes."),
    query: storableText()
      .max(2_000)
      .optional()
      .describe('Search syntax: `type:commission.* actor:u_42 -source:api after:2026-01-01 "approved"`.'),
  })
  .meta({ id: "EventFilters" });
export type EventFilters = z.infer<typeof EventFilters>;

/** Columns that filter by plain equality. */
export const EQUALITY_FILTERS = [
  "category",
  "status",
  "source",
  "actor_id",
  "actor_type",
  "entity_type",
  "entity_id",
  "organization_id",
  "request_id",
  "job_id",
  "ip",
] as const;
export type EqualityFilter = (typeof EQUALITY_FILTERS)[number];

export type TextTerm = { text: string; phrase: boolean; negated: boolean };

export type Condition =
  | { kind: "equals"; column: EqualityFilter; values: string[]; negated: boolean }
  | { kind: "type"; exact: string[]; prefixes: string[]; negated: boolean }
  | { kind: "action"; values: string[]; negated: boolean }
  | { kind: "actor"; values: string[]; negated: boolean }
  | { kind: "entity"; type: string; id: string | undefined; negated: boolean }
  | { kind: "changed"; fields: string[]; negated: boolean }
  | { kind: "metadata"; key: string; values: string[]; negated: boolean };

/** A compiled filter: the time window (half-open, epoch ms), conditions and full-text terms. */
export type EventQuery = {
  from?: number;
  to?: number;
  conditions: Condition[];
  text: TextTerm[];
};

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function typeCondition(values: string[], negated: boolean): Condition {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const v of values) {
    if (v.endsWith("*")) prefixes.push(v.slice(0, -1));
    else exact.push(v);
  }
  return { kind: "type", exact, prefixes, negated };
}

/** An action is a type's text after its last dot, so it holds no dot (and a type's characters only). */
const ACTION = /^[A-Za-z0-9_:/ -]{1,128}$/;

function actionCondition(values: string[], negated: boolean, path: string, where = ""): Condition {
  const bad = values.find((v) => !ACTION.test(v));
  if (bad !== undefined) {
    const message = `"${bad}" is not an action${where}: an action is the text after a type's last dot, like created or login`;
    throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
  return { kind: "action", values, negated };
}

/**
 * A top-level metadata field holding one of `values`. The key is checked here as well as by the
 * search syntax, since callers (the explorer's pickers) build conditions directly.
 */
export function metadataCondition(key: string, values: string[], negated: boolean, path = "query"): Condition {
  if (!METADATA_KEY.test(key)) {
    const message = `"${key}" is not a metadata key: a key is 1 to 64 letters, digits, _ or -`;
    throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
  return { kind: "metadata", key, values, negated };
}

function narrow(query: EventQuery, edge: "from" | "to", ms: number) {
  const current = query[edge];
  if (edge === "from") query.from = current === undefined ? ms : Math.max(current, ms);
  else query.to = current === undefined ? ms : Math.min(current, ms);
}

function timeOrThrow(value: string, timeZone: string, edge: "start" | "end", path: string, where = ""): number {
  const ms = parseTimeBound(value, timeZone, edge);
  if (ms === null) {
    const message = `"${value}" is not a date or time${where}; use 2026-01-31, 2026-01-31T14:00 or an ISO time with offset`;
    throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
  return ms;
}

function applyClause(query: EventQuery, clause: SearchClause, timeZone: string) {
  if (clause.kind === "text") {
    query.text.push({ text: clause.text, phrase: clause.phrase, negated: clause.negated });
    return;
  }
  if (clause.kind === "metadata") {
    query.conditions.push(metadataCondition(clause.key, splitList(clause.value), clause.negated));
    return;
  }
  const { key, value, negated, column } = clause;
  const where = ` (at column ${column})`;
  switch (key) {
    case "before":
    case "after":
    case "from":
    case "to": {
      if (negated) {
        const message = `"-${key}:" cannot be negated${where}; use the opposite bound`;
        throw new ValidationError(`query: ${message}`, [{ path: "query", message }]);
      }
      const isStart = key === "after" || key === "from";
      // before: excludes the given day or instant; to: includes it (README "Filters").
      const ms = timeOrThrow(value, timeZone, key === "to" ? "end" : "start", "query", where);
      narrow(query, isStart ? "from" : "to", ms);
      return;
    }
    case "type":
      query.conditions.push(typeCondition(splitList(value), negated));
      return;
    case "action":
      query.conditions.push(actionCondition(splitList(value), negated, "query", where));
      return;
    case "actor":
      query.conditions.push({ kind: "actor", values: splitList(value), negated });
      return;
    case "entity": {
      const sep = value.indexOf(":");
      query.conditions.push(
        sep < 0
          ? { kind: "entity", type: value, id: undefined, negated }
          : { kind: "entity", type: value.slice(0, sep), id: value.slice(sep + 1), negated },
      );
      return;
    }
    case "changed":
      query.conditions.push({ kind: "changed", fields: splitList(value), negated });
      return;
    default:
      query.conditions.push({ kind: "equals", column: key, values: splitList(value), negated });
  }
}

/**
 * Compiles filter parameters into an EventQuery. Dates without an offset are read in `timeZone`.
 * Throws ValidationError naming the parameter (and the column of a malformed `query`).
 */
export function compileFilters(filters: EventFilters, timeZone: string): EventQuery {
  const query: EventQuery = { conditions: [], text: [] };
  if (filters.from) narrow(query, "from", timeOrThrow(filters.from, timeZone, "start", "from"));
  if (filters.to) narrow(query, "to", timeOrThrow(filters.to, timeZone, "end", "to"));
  for (const column of EQUALITY_FILTERS) {
    const value = filters[column];
    if (value) query.conditions.push({ kind: "equals", column, values: splitList(value), negated: false });
  }
  if (filters.type) query.conditions.push(typeCondition(splitList(filters.type), false));
  if (filters.action) query.conditions.push(actionCondition(splitList(filters.action), false, "action"));
  if (filters.changed) query.conditions.push({ kind: "changed", fields: splitList(filters.changed), negated: false });
  if (filters.q) {
    for (const word of filters.q.split(/\s+/)) if (word) query.text.push({ text: word, phrase: false, negated: false });
  }
  if (filters.query) {
    let clauses: SearchClause[];
    try {
      clauses = parseSearchQuery(filters.query);
    } catch (error) {
      if (!(error instanceof SearchSyntaxError)) throw error;
      throw new ValidationError(`query: ${error.message}`, [{ path: "query", message: error.message }]);
    }
    for (const clause of clauses) applyClause(query, clause, timeZone);
  }
  return query;
}

/** Restricts a query to one organisation (partner viewers; README "Roles"). */
export function scopeToOrganization(query: EventQuery, organizationId: string | null | undefined): EventQuery {
  if (!organizationId) return query;
  return {
    ...query,
    conditions: [
      ...query.conditions,
      { kind: "equals", column: "organization_id", values: [organizationId], negated: false },
    ],
  };
}

/** Restricts a query to an embedded viewer's fixed type prefixes and time floor (README "Embeddable viewer"). */
export function scopeToLimits(query: EventQuery, limits: Access["limits"]): EventQuery {
  if (!limits) return query;
  const scoped: EventQuery = { ...query, conditions: [...query.conditions] };
  if (limits.types?.length) scoped.conditions.push(typeCondition(limits.types, false));
  if (limits.from !== undefined) narrow(scoped, "from", limits.from);
  return scoped;
}

/** Whether a type is one an embedded viewer's fixed type filter lets through. */
export function typeWithinLimits(type: string, limits: Access["limits"]): boolean {
  const types = limits?.types;
  if (!types?.length) return true;
  return types.some((t) => (t.endsWith("*") ? type.startsWith(t.slice(0, -1)) : type === t));
}

/**
 * What a dashboard member may see (README "Roles"): a partner viewer only their organisation's
 * events, and only owners and admins the configuration activity.
 */
export function scopeForAccess(query: EventQuery, access: Access): EventQuery {
  const scoped = scopeToLimits(scopeToOrganization(query, access.organizationId), access.limits);
  // Categories of views the project hides from the role, and configuration without its permission.
  const hidden = [
    ...(can(access, "events.read_configuration") ? [] : ["configuration"]),
    ...(access.hiddenCategories ?? []),
  ];
  if (hidden.length === 0) return scoped;
  return {
    ...scoped,
    conditions: [...scoped.conditions, { kind: "equals", column: "category", values: hidden, negated: true }],
  };
}
