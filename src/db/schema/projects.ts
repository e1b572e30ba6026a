import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { REGIONS } from "./shards";

export const projects = sqliteTable("projects", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** IANA zone; dates without an offset in filters are read in it. */
  timezone: text("timezone").notNull().default("UTC"),
  retentionDays: integer("retention_days").notNull().default(365),
  /** JSON array of extra key names redacted on top of the built-in pattern. */
  redactionKeys: text("redaction_keys", { mode: "json" }).$type<string[]>().notNull().default([]),
  /** Before retention deletes a day, write it to R2 as gzip JSON Lines. */
  archiveEnabled: integer("archive_enabled", { mode: "boolean" }).notNull().default(false),
  /** Where its events and files live (README "Data regions"); changed only by a move. */
  region: text("region", { enum: REGIONS }).notNull().default("default"),
  /** Serve the digests' and epochs' public copies at /public/digests/<project>/ (README "Published roots"). */
  publishDigests: integer("publish_digests", { mode: "boolean" }).notNull().default(false),
  /** Entity or target type → URL template with `{id}` (README "The dashboard", Entity links). */
  entityLinks: text("entity_links", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
  /** Views hidden from members and viewers, by role (README "Roles", Views by role). */
  hiddenViews: text("hidden_views", { mode: "json" })
    .$type<Partial<Record<"member" | "viewer", string[]>>>()
    .notNull()
    .default({}),
  createdAt: integer("created_at").notNull(),
});

export type Project = typeof projects.$inferSelect;
