import type { EventFilters } from "./filters";

// The explorer's preset views (README "The dashboard", Events): one per category, with the columns and status chips
// that suit it. "Sales entries" is the integration view narrowed to CRM sales entries.

export const COLUMNS = [
  "time",
  "activity",
  "summary",
  "actor",
  "source",
  "changes",
  "status",
  "method",
  "path",
  "message",
  "recipient",
  "email_type",
  "delivered",
  "opened",
  "payout_source",
  "program",
  "amount",
] as const;
export const ADVANCED_COLUMNS = ["event_id", "request_id", "job_id", "entity_id", "request_ip"] as const;
export type Column = (typeof COLUMNS)[number] | (typeof ADVANCED_COLUMNS)[number];
export type AdvancedColumn = (typeof ADVANCED_COLUMNS)[number];

/**
 * A metadata field a view reads (README "Payments and e-mails"): filtered by a picker of the values
 * the project has, or by a typed value; and shown in the event detail under its label.
 */
export type ViewField = { key: string; label: string; filter?: "picker" | "text" };

export type Preset = {
  id: string;
  label: string;
  filters: Pick<EventFilters, "category" | "type">;
  columns: Column[];
  statuses: string[];
  adminOnly?: boolean;
  empty: string;
  /** The view's metadata fields, in the order the filter bar and the detail show them. */
  fields?: ViewField[];
  /** The view shows statistics of its range above the table (the Emails view). */
  stats?: "email";
};

export const PRESETS: Preset[] = [
  {
    id: "all",
    label: "All",
    filters: {},
    columns: ["time", "activity", "summary", "actor", "source", "changes", "status"],
    statuses: [],
    empty: "No events in this range. Widen the date range, or post events with the API.",
  },
  {
    id: "activity",
    label: "Activity",
    filters: { category: "activity" },
    columns: ["time", "activity", "summary", "actor", "source", "changes"],
    statuses: [],
    empty: "No changes to records in this range.",
  },
  {
    id: "configuration",
    label: "Configuration",
    filters: { category: "configuration" },
    columns: ["time", "activity", "summary", "actor", "changes"],
    statuses: [],
    adminOnly: true,
    empty: "No settings, members or API keys changed in this range.",
  },
  {
    id: "security",
    label: "Security",
    filters: { category: "auth" },
    columns: ["time", "activity", "summary", "actor", "status"],
    statuses: ["success", "failure"],
    empty: "No sign-ins in this range.",
  },
  {
    id: "api",
    label: "API requests",
    filters: { category: "api_request" },
    columns: ["time", "method", "path", "status", "summary", "actor"],
    statuses: ["success", "failure"],
    empty: "No API requests in this range.",
  },
  {
    id: "integration",
    label: "Integration events",
    filters: { category: "integration" },
    columns: ["time", "activity", "status", "summary", "message"],
    statuses: ["info", "success", "failure"],
    empty: "No integration events in this range.",
  },
  {
    id: "payments",
    label: "Payments",
    filters: { category: "payment" },
    columns: ["time", "activity", "summary", "amount", "payout_source", "program", "status"],
    statuses: ["failed", "processing", "transit", "complete", "rollback"],
    empty: "No payouts in this range.",
    fields: [
      { key: "payout_source", label: "Payout source", filter: "picker" },
      { key: "program", label: "Program", filter: "picker" },
      { key: "amount", label: "Amount" },
      { key: "currency", label: "Currency" },
      { key: "member", label: "Recipient" },
    ],
  },
  {
    id: "emails",
    label: "Emails",
    filters: { category: "email" },
    columns: ["time", "recipient", "email_type", "status", "delivered", "opened", "summary"],
    statuses: ["delivered", "bounced", "blocked", "pending"],
    empty: "No e-mails in this range.",
    fields: [
      { key: "to", label: "Recipient", filter: "text" },
      { key: "template", label: "E-mail type", filter: "picker" },
      { key: "delivered_at", label: "Delivered" },
      { key: "opened_at", label: "Opened" },
      { key: "provider", label: "Provider" },
    ],
    stats: "email",
  },
  {
    id: "fraud",
    label: "Fraud",
    filters: { category: "fraud" },
    columns: ["time", "summary", "status", "message"],
    statuses: ["allowed", "blocked"],
    empty: "No fraud decisions in this range.",
  },
  {
    id: "sales",
    label: "Sales entries",
    filters: { category: "integration", type: "sales_entry" },
    columns: ["time", "summary", "status", "message"],
    statuses: ["info", "success", "failure"],
    empty: "No sales entries in this range.",
  },
];

export function presetById(id: string | undefined): Preset {
  return PRESETS.find((p) => p.id === id) ?? (PRESETS[0] as Preset);
}
