import type { ChipLink } from "../../components/Chips";
import type { TimeMode } from "../../components/time";

// What the explorer's views are given (README "The dashboard", Events): the route's view model
// (src/routes/dashboard/explorer-view.ts) builds these from the URL's state and the stored events.

/** Element ids htmx swaps into: the page and its fragments (rows, detail, counter, suggestions) share them. */
export const TARGETS = {
  rows: "rows",
  detail: "detail",
  loadMore: "load-more",
  poller: "poller",
  counter: "counter",
  actorIds: "actor-ids",
  organizationIds: "organization-ids",
  emailStats: "email-stats",
} as const;

/** A column of the event table: a preset's own, or an advanced one chosen under "Columns". */
export type EventColumn =
  | "time"
  | "activity"
  | "summary"
  | "actor"
  | "source"
  | "changes"
  | "status"
  | "method"
  | "path"
  | "message"
  | "event_id"
  | "request_id"
  | "job_id"
  | "entity_id"
  | "request_ip"
  | "recipient"
  | "email_type"
  | "delivered"
  | "opened"
  | "payout_source"
  | "program"
  | "amount";

type Ref = { type?: string | undefined; id?: string | undefined; name?: string | undefined };

/** The HTTP request behind an event; the detail lists every field it has. */
export type RequestView = {
  id?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
  status_code?: number | undefined;
  headers?: unknown;
  query?: unknown;
  body?: unknown;
  response_body?: unknown;
  [field: string]: unknown;
};

/** An event as the explorer shows it, under the event format's own names (a stored event fits as it is). */
export type EventView = {
  id: string;
  type: string;
  occurred_at: string;
  received_at?: string | undefined;
  hash?: string | undefined;
  category?: string | undefined;
  action?: string | undefined;
  status?: string | undefined;
  summary?: string | undefined;
  message?: string | undefined;
  lifecycle_action?: string | undefined;
  source?: string | undefined;
  organization_id?: string | undefined;
  job_id?: string | undefined;
  actor?: (Ref & { email?: string | undefined }) | undefined;
  entity?: Ref | undefined;
  targets?: Ref[] | undefined;
  /** `[before, after]` per field. */
  changes?: Record<string, unknown> | undefined;
  request?: RequestView | undefined;
  metadata?: Record<string, unknown> | undefined;
};

/** A link both ways: the page (without JavaScript) and the fragment htmx fetches instead. */
export type PageAndFragment = { page: string; fragment: string };

/** A link out of Trailbook: to the project's own page for an event's entity or target. */
export type OutsideLink = { label: string; href: string };

/** How rows are drawn: the view's columns, the time display, and where each event's detail is. */
export type RowContext = {
  columns: EventColumn[];
  timeMode: TimeMode;
  zone: string;
  detailHref: (id: string) => PageAndFragment;
  /** The project's entity links for an event ("View promoter"), shown under its summary. */
  outsideLinks?: ((event: EventView) => OutsideLink[]) | undefined;
};

/** The counter: exact, still to be counted (fetched by htmx; a link without JavaScript), or not countable. */
export type CounterState = { count: number } | { pending: PageAndFragment } | { unavailable: string | undefined };

/** The values the filter bar's pickers offer. */
export type Pickers = {
  /** `all`: the group is an entity whose `….*` may be chosen as a whole. */
  types: { group: string; values: string[]; all?: boolean }[];
  changed: { group: string; values: string[] }[];
  sources: string[];
  categories: string[];
  /** Actions across entity types (created, updated, …, login, logout). */
  actions: string[];
  actorTypes: string[];
  entityTypes: string[];
};

/** Where the id boxes fetch their suggestions from (no organisations for a partner viewer). */
export type SuggestionHrefs = { actors: string; organizations?: string | undefined };

/** One suggestion under an id box: a link to the explorer filtered by it. */
export type Suggestion = { label: string; detail?: string | undefined; href: string };

/** What the filter form shows: the URL's state. */
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
  /** Metadata filters as `[key, value]` pairs (`metadata.<key>` in the URL). */
  metadata: [string, string][];
};

type EmailFigure = "sent" | "delivered" | "opened" | "bounced" | "blocked" | "pending";

/** The Emails view's statistics, or where to fetch them (after the rows, like the counter). */
export type EmailStatsState = { stats: EmailStatsView } | { pending: PageAndFragment };

/** The Emails view's statistics: totals and per e-mail type, with links to the e-mails counted. */
export type EmailStatsView = {
  totals: Record<EmailFigure, number>;
  /** The list of the e-mails a figure counts, where a filter can say which (sent: all, opened: none). */
  links: Partial<Record<EmailFigure, string>>;
  byType: ({ type: string; href?: string | undefined } & Record<EmailFigure, number>)[];
};

/** A view's metadata filter in the filter bar: a picker of the project's values, or a typed value. */
export type FieldFilter = { key: string; label: string; filter: "picker" | "text"; options: string[] };

/** Every chip and link of the page's bars, built from the state by the view model. */
export type ExplorerChips = {
  tabs: ChipLink[];
  statusChips: ChipLink[];
  activeChips: ChipLink[];
  liveLink: ChipLink;
  columnLinks: ChipLink[];
  /** The status filter's choices: the view's own statuses, then the common ones. */
  statuses: string[];
  /** The view without any filter, search or range; none when nothing is filtered. */
  clearHref?: string | undefined;
};

/** The event's place in the signed record, checked as an outside verifier would (README "Proofs"). */
export type ProofLine =
  | { state: "verified"; windowStart: string; windowEnd: string; href: string }
  | { state: "pending"; dueAt: string }
  | { state: "unavailable"; reason: string };

export type DetailProps = {
  event: EventView;
  zone: string;
  timeMode: TimeMode;
  closeHref: string;
  links: { label: string; href: string }[];
  /** The project's entity links for the event. */
  outside?: OutsideLink[] | undefined;
  proof?: ProofLine | undefined;
  /** The metadata fields its view reads (a payment's amount, payout source, program), labelled. */
  fields?: { label: string; value: string; time?: boolean }[] | undefined;
  /** The events of its entity (a payout's status history), newest first, each linking to its detail. */
  history?: { event: EventView; href: PageAndFragment }[] | undefined;
  /** The organisation's display name (Settings or events), shown beside its id. */
  organizationName?: string | undefined;
};
