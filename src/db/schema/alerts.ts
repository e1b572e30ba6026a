import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Alert rules (README "Alerts"): a filter in the search syntax over the project's own events, a
// condition, and where a firing goes. Every firing is a notification and an `alert.fired` event.

export const ALERT_CONDITIONS = ["any", "threshold"] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];
export const ALERT_GROUPS = ["actor", "ip", "organization"] as const;
export type AlertGroup = (typeof ALERT_GROUPS)[number];

export const alertRules = sqliteTable(
  "alert_rules",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    /** Search syntax; '' matches every event. */
    filter: text("filter").notNull().default(""),
    /** `any`: checked on ingest; `threshold`: at least `threshold` in `window_minutes`, checked by cron. */
    condition: text("condition", { enum: ALERT_CONDITIONS }).notNull(),
    threshold: integer("threshold").notNull().default(1),
    /** The window of a threshold, and for both conditions how often a group may fire: once per window. */
    windowMinutes: integer("window_minutes").notNull(),
    groupBy: text("group_by", { enum: ALERT_GROUPS }),
    /** E-mail the firing's notification to the members who chose alert e-mails. */
    email: integer("email", { mode: "boolean" }).notNull().default(false),
    /** Deliver the `alert.fired` event to this webhook endpoint of the project. */
    webhookId: text("webhook_id"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** The template it was made from, if any (shown, never used to evaluate). */
    template: text("template"),
    lastFiredAt: integer("last_fired_at"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("alert_rules_project").on(t.projectId, t.createdAt),
    index("alert_rules_due").on(t.condition, t.enabled),
  ],
);

/** The last firing per rule and group ('' without grouping): a group fires at most once per window. */
export const alertFirings = sqliteTable(
  "alert_firings",
  {
    ruleId: text("rule_id").notNull(),
    groupKey: text("group_key").notNull(),
    firedAt: integer("fired_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.groupKey] })],
);

export type AlertRule = typeof alertRules.$inferSelect;
