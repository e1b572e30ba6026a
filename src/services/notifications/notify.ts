import { and, count, desc, eq, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Notification, notificationArchives, notifications } from "../../db/schema";
import { newId } from "../../lib/ids";

export type NewNotification = {
  projectId: string;
  userId?: string | null;
  type: string;
  title: string;
  body?: string | null;
  link?: string | null;
};

/** Records a notification; the id is derived from `key` when given, so a repeated step adds none. */
export async function notify(db: Db, input: NewNotification, key?: string, now = Date.now()): Promise<void> {
  const id = key ? `ntf_${key}` : newId("ntf", now);
  await db
    .insert(notifications)
    .values({
      id,
      projectId: input.projectId,
      userId: input.userId ?? null,
      type: input.type,
      title: input.title,
      body: input.body ?? null,
      link: input.link ?? null,
      createdAt: now,
    })
    .onConflictDoNothing();
}

function visibleTo(projectId: string, userId: string, archived: boolean) {
  const archivedByMe = archivedBy(userId);
  return and(
    eq(notifications.projectId, projectId),
    or(isNull(notifications.userId), eq(notifications.userId, userId)),
    archived ? sql`exists (${archivedByMe})` : sql`not exists (${archivedByMe})`,
  );
}

function archivedBy(userId: string) {
  return sql`SELECT 1 FROM ${notificationArchives} WHERE ${notificationArchives.notificationId} = ${notifications.id} AND ${notificationArchives.userId} = ${userId}`;
}

export async function listNotifications(
  db: Db,
  projectId: string,
  userId: string,
  archived = false,
  limit = 100,
): Promise<Notification[]> {
  return db
    .select()
    .from(notifications)
    .where(visibleTo(projectId, userId, archived))
    .orderBy(desc(notifications.createdAt))
    .limit(limit);
}

/** The unread count as a statement, so a page can send it in one batch with its other reads. */
export function unreadCountQuery(db: Db, projectId: string, userId: string) {
  return db
    .select({ n: count() })
    .from(notifications)
    .where(visibleTo(projectId, userId, false));
}

export async function unreadCount(db: Db, projectId: string, userId: string): Promise<number> {
  const [row] = await unreadCountQuery(db, projectId, userId);
  return row?.n ?? 0;
}

/** Archives one notification (or, without an id, all of them) for this member. */
export async function archiveNotifications(db: Db, projectId: string, userId: string, id?: string): Promise<number> {
  const open = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(visibleTo(projectId, userId, false), id ? eq(notifications.id, id) : undefined))
    .limit(1000);
  if (open.length === 0) return 0;
  const now = Date.now();
  // 3 parameters a row: 30 rows a statement stays under D1's 100 bound parameters.
  for (let i = 0; i < open.length; i += 30) {
    await db
      .insert(notificationArchives)
      .values(open.slice(i, i + 30).map((n) => ({ notificationId: n.id, userId, archivedAt: now })))
      .onConflictDoNothing();
  }
  return open.length;
}
