import { and, count, desc, eq, isNull, type Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { memberships, type Notification, notificationArchives, notifications, roles } from "../../db/schema";
import { ForbiddenError, InvariantError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { PERMISSIONS, type Permission } from "../../lib/permissions";
import type { Actor, ProjectContext, ServiceContext } from "../context";
import { forgetSessions } from "../session-cache";
import { NOTIFICATION_AUDIENCE, UNKNOWN_AUDIENCE } from "./types";

export type NewNotification = {
  projectId: string;
  userId?: string | null;
  type: string;
  title: string;
  body?: string | null;
  link?: string | null;
  /** Never e-mailed (stored as already e-mailed): an alert whose rule sends no e-mail. */
  noEmail?: boolean;
};

/** Records a notification; the id is derived from `key` when given, so a repeated step adds none. */
export async function notify(
  ctx: ServiceContext,
  input: NewNotification,
  key?: string,
  now = Date.now(),
): Promise<void> {
  const id = key ? `ntf_${key}` : newId("ntf", now);
  await ctx.db
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
      emailedAt: input.noEmail ? now : null,
    })
    .onConflictDoNothing();
  // The badges of the sessions this isolate keeps count it at once (src/services/session-cache.ts).
  forgetSessions();
}

const LITERAL = /^[a-z_.]+$/;

function literal(value: string): string {
  // Kinds and roles are constants of the code; checked anyway, since they are written into the SQL.
  if (!LITERAL.test(value)) throw new InvariantError(`not a safe SQL literal: ${value}`);
  return `'${value}'`;
}

type MemberColumns = { userId: SQLWrapper; role: SQLWrapper; organizationId: SQLWrapper; roleId: SQLWrapper };

/** Whether the membership holds `permission`: its custom role's set when it has one, else its built-in role's. */
function roleIn(m: MemberColumns, permission: Permission): SQL {
  const builtIn = sql`${m.role} IN ${sql.raw(`(${PERMISSIONS[permission].map(literal).join(", ")})`)}`;
  const custom = sql`EXISTS (SELECT 1 FROM ${roles}, json_each(${roles.permissions}) AS granted WHERE ${roles.id} = ${m.roleId} AND granted.value = ${sql.raw(literal(permission))})`;
  return sql`(CASE WHEN ${m.roleId} IS NULL THEN ${builtIn} ELSE ${custom} END)`;
}

/** Whether the membership may see a notification of kind `type` meant for one member, or for everyone. */
function kindAllows(type: SQLWrapper, m: MemberColumns, meantFor: "addressed" | "everyone"): SQL {
  const whens = Object.entries(NOTIFICATION_AUDIENCE).map(
    ([kind, audience]) => sql`WHEN ${sql.raw(literal(kind))} THEN ${roleIn(m, audience[meantFor])}`,
  );
  return sql`(CASE ${type} ${sql.join(whens, sql` `)} ELSE ${roleIn(m, UNKNOWN_AUDIENCE)} END)`;
}

/**
 * The rule of NOTIFICATION_AUDIENCE as SQL, so lists, the unread badge, archiving and e-mails all
 * apply it in their queries: a notification meant for one member is theirs if their role may see its
 * kind; one meant for everyone reaches the roles its kind names, never a partner viewer.
 */
export function memberMayRead(n: { type: SQLWrapper; userId: SQLWrapper }, m: MemberColumns): SQL {
  const partner = sql`(${m.role} = 'viewer' AND ${m.roleId} IS NULL AND ${m.organizationId} IS NOT NULL)`;
  return sql`((${n.userId} = ${m.userId} AND ${kindAllows(n.type, m, "addressed")}) OR (${n.userId} IS NULL AND NOT ${partner} AND ${kindAllows(n.type, m, "everyone")}))`;
}

/** Who reads: a member (their user id, or SQL selecting it: a session's user) or an API key. */
type Reader = { userId: string | SQL } | { keyId: string };

function readerOf(actor: Actor): Reader {
  if (actor.kind === "member") return { userId: actor.user.id };
  if (actor.kind === "key") return { keyId: actor.key.id };
  throw new ForbiddenError("Only a member or an API key of the project reads its notifications.");
}

function visibleTo(projectId: string | Placeholder, reader: Reader, archived: boolean) {
  const readerId = "userId" in reader ? reader.userId : reader.keyId;
  const archivedByMe = archivedBy(readerId);
  const allowed =
    "userId" in reader
      ? sql`exists (SELECT 1 FROM ${memberships} WHERE ${memberships.projectId} = ${notifications.projectId} AND ${memberships.userId} = ${reader.userId} AND ${memberMayRead(notifications, memberships)})`
      : isNull(notifications.userId);
  return and(
    eq(notifications.projectId, projectId),
    allowed,
    archived ? sql`exists (${archivedByMe})` : sql`not exists (${archivedByMe})`,
  );
}

function archivedBy(readerId: string | SQL) {
  return sql`SELECT 1 FROM ${notificationArchives} WHERE ${notificationArchives.notificationId} = ${notifications.id} AND ${notificationArchives.userId} = ${readerId}`;
}

/** The notifications the actor may see (archived by them, or not), newest first, a page at a time. */
export async function listNotifications(
  ctx: ProjectContext,
  input: { archived: boolean; page: Page },
): Promise<Paged<Notification>> {
  const { archived, page } = input;
  const rows = await ctx.db
    .select()
    .from(notifications)
    .where(
      and(
        visibleTo(ctx.project.id, readerOf(ctx.actor), archived),
        afterCursor(notifications.createdAt, notifications.id, page.cursor),
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (n) => [n.createdAt, n.id]);
}

/**
 * Unread notifications are counted up to one more than this, and the badge says "99+" beyond it:
 * every project page counts them, and a project whose alerts fired for years unread is not
 * counted row by row on each.
 */
export const UNREAD_COUNTED = 99;

/** The badge's text for an unread count: none for 0, "99+" past UNREAD_COUNTED. */
export function unreadLabel(unread: number): string | undefined {
  if (unread <= 0) return undefined;
  return unread > UNREAD_COUNTED ? `${UNREAD_COUNTED}+` : String(unread);
}

/**
 * The unread notifications `reader` may see, counted up to UNREAD_COUNTED + 1, as a statement, so a
 * page can send it in one batch with its other reads.
 */
export function unreadCountQuery(db: Db, projectId: string | Placeholder, reader: Reader) {
  const unread = db
    .select({ id: notifications.id })
    .from(notifications)
    .where(visibleTo(projectId, reader, false))
    .limit(UNREAD_COUNTED + 1)
    .as("unread");
  return db.select({ n: count() }).from(unread);
}

/** The member's unread count, up to UNREAD_COUNTED + 1. */
export async function unreadCount(ctx: ProjectContext): Promise<number> {
  const [row] = await unreadCountQuery(ctx.db, ctx.project.id, readerOf(ctx.actor));
  return row?.n ?? 0;
}

/** Archives one notification (or, without an id, all of them) for the actor alone. */
export async function archiveNotifications(ctx: ProjectContext, id?: string): Promise<number> {
  const { db } = ctx;
  const reader = readerOf(ctx.actor);
  const open = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(visibleTo(ctx.project.id, reader, false), id ? eq(notifications.id, id) : undefined))
    .limit(1000);
  const userId = "userId" in reader ? reader.userId : reader.keyId;
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
