import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Where an organisation's display name came from: Settings (kept) or an event's `metadata.organization_name`. */
export const ORGANIZATION_NAME_SOURCES = ["settings", "events"] as const;
export type OrganizationNameSource = (typeof ORGANIZATION_NAME_SOURCES)[number];

/**
 * Display names of a project's organisations (README "Filters", organisations by name): typed in
 * Settings, or learned from events; a name from Settings is never replaced by one from an event.
 */
export const organizations = sqliteTable(
  "organizations",
  {
    projectId: text("project_id").notNull(),
    organizationId: text("organization_id").notNull(),
    name: text("name").notNull(),
    source: text("source", { enum: ORGANIZATION_NAME_SOURCES }).notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.organizationId] })],
);

/** The folded words of each name (src/lib/words.ts): a typed prefix is a range of this key. */
export const organizationWords = sqliteTable(
  "organization_words",
  {
    projectId: text("project_id").notNull(),
    word: text("word").notNull(),
    organizationId: text("organization_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.word, t.organizationId] })],
);

export type Organization = typeof organizations.$inferSelect;
