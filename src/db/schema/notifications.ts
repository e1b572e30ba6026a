import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Something a project's members should see: an export is ready, an import failed… */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    /** The one member it is for, or null for every member who may see its kind. */
    userId: text("user_id"),
    type: text("type").notNull(),
    title: text("title").notNull(),
    body: text("body"),
    link: text("link"),
    createdAt: integer("created_at").notNull(),
    /** Set once the subscribed members' e-mails for it were sent (or recorded). */
    emailedAt: integer("emailed_at"),
  },
  (t) => [
    index("notifications_project").on(t.projectId, t.createdAt),
    index("notifications_unemailed").on(t.emailedAt, t.createdAt),
  ],
);

/** Which notification types a member wants by e-mail, per project. */
export const notificationSubscriptions = sqliteTable(
  "notification_subscriptions",
  {
    projectId: text("project_id").notNull(),
    userId: text("user_id").notNull(),
    type: text("type").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId, t.type] })],
);

/** Archiving is per member: one archives a notification for themselves, not for the others. */
export const notificationArchives = sqliteTable(
  "notification_archives",
  {
    notificationId: text("notification_id").notNull(),
    userId: text("user_id").notNull(),
    archivedAt: integer("archived_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.userId] })],
);

export type Notification = typeof notifications.$inferSelect;
