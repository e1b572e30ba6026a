import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A project's custom role (README "Roles"): a named set of permissions of the permission table
 * (src/lib/permissions.ts), given to members beside the built-in roles.
 */
export const roles = sqliteTable(
  "roles",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    /** JSON array of permission names; checked against the table when read, so a retired name grants nothing. */
    permissions: text("permissions", { mode: "json" }).$type<string[]>().notNull(),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("roles_project_name").on(t.projectId, t.name),
    index("roles_project").on(t.projectId, t.createdAt),
  ],
);

export type Role = typeof roles.$inferSelect;
