import { and, eq, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { renderedOnce } from "../../db/rendered";
import { memberships, placements, projects, roles, type Session, type User } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { isPermission, type Permission } from "../../lib/permissions";
import { liveSession, sessionLookup, tokenShaped } from "../auth/sessions";
import type { ServiceContext, UserContext } from "../context";
import { unreadCountQuery } from "../notifications/notify";
import { hiddenCategories } from "../projects/view-access";
import {
  cachedSessionMembership,
  forgetSessionMembership,
  rememberSessionMembership,
  sessionCacheGeneration,
} from "../session-cache";
import type { Membership, MyProject } from "./types";

/** A user, by id or as SQL selecting the id (a session's user, read in the same batch). */
type UserRef = string | SQL;

/**
 * The statements of a membership lookup, run as one batch: the membership with its project,
 * placement and custom role; the unread count (it depends only on the project and the user, and is
 * dropped unless the membership is there); and the user's projects, for the page's switcher.
 */
function membershipStatements(db: Db, projectId: string | Placeholder, userId: UserRef) {
  return [
    db
      .select({
        project: projects,
        placement: { shard: placements.shard, pn: placements.pn },
        // Only what is needed: D1 collapses result columns of the same name (created_at of both).
        membership: { role: memberships.role, organizationId: memberships.organizationId },
        // Aliased: D1 returns rows keyed by column name, and projects has an id and a name too.
        customRoleId: sql<string | null>`${roles.id}`.as("custom_role_id"),
        customRoleName: sql<string>`${roles.name}`.as("custom_role_name"),
        customRolePermissions: sql<string>`cast(${roles.permissions} AS TEXT)`.as("custom_role_permissions"),
      })
      .from(memberships)
      .innerJoin(projects, eq(projects.id, memberships.projectId))
      .innerJoin(placements, eq(placements.projectId, projects.id))
      .leftJoin(roles, and(eq(roles.id, memberships.roleId), eq(roles.projectId, memberships.projectId)))
      .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)))
      .limit(1),
    unreadCountQuery(db, projectId, { userId }),
    myProjectsQuery(db, userId),
  ] as const;
}

type Statements = ReturnType<typeof membershipStatements>;
type MembershipResults = readonly [Awaited<Statements[0]>, Awaited<Statements[1]>, Awaited<Statements[2]>];

function toMembership([[row], [unread], mine]: MembershipResults): (Membership & { mine: MyProject[] }) | undefined {
  if (!row) return undefined;
  const { role, organizationId } = row.membership;
  const custom = row.customRoleId
    ? { id: row.customRoleId, name: row.customRoleName, permissions: row.customRolePermissions }
    : null;
  const hidden = hiddenCategories(row.project, { role });
  return {
    project: row.project,
    placement: row.placement,
    access: {
      role,
      organizationId: role === "viewer" && !custom ? organizationId : null,
      customRole: custom && { id: custom.id, name: custom.name, permissions: parsePermissions(custom.permissions) },
      // Only when the project hides views from the role, so an access is otherwise as it was.
      ...(hidden.length > 0 && { hiddenCategories: hidden }),
    },
    unread: unread?.n ?? 0,
    mine,
  };
}

/**
 * The signed-in user's membership of a project: the project, their access (a scope only for a
 * viewer), their unread count and their projects; undefined when they are not a member. One round
 * trip: every project page waits on this before its own reads.
 */
export async function findMembership(
  ctx: UserContext,
  projectId: string,
): Promise<(Membership & { mine: MyProject[] }) | undefined> {
  const { db } = ctx;
  return toMembership(await db.batch(membershipStatements(db, projectId, ctx.actor.user.id)));
}

/**
 * The statements of findSessionMembership, rendered once: the session and user of a token's hash,
 * then the membership statements selecting the user through it.
 */
const sessionMembershipBatch = renderedOnce((db) => {
  const lookup = sessionLookup(db, sql.placeholder("tokenHash"), "active", sql.placeholder("now"));
  const [session, user] = lookup.statements;
  const [membership, unread, mine] = membershipStatements(db, sql.placeholder("projectId"), lookup.userId);
  return [session.prepare(), user.prepare(), membership.prepare(), unread.prepare(), mine.prepare()] as const;
});

/**
 * A session token's live session and its user's membership of a project, in one round trip (a
 * project page's first, before its own reads): the membership statements select the user through
 * the token's hash, and their results count only when that session is live. A member's lookup is
 * kept for a few seconds (src/services/session-cache.ts), and then costs no round trip; the
 * session's expiry and idleness are checked every time.
 */
export async function findSessionMembership(
  ctx: ServiceContext,
  token: string,
  projectId: string,
  now = Date.now(),
): Promise<{ session: Session; user: User; membership: (Membership & { mine: MyProject[] }) | undefined } | undefined> {
  if (!tokenShaped(token)) return undefined;
  const since = sessionCacheGeneration();
  const tokenHash = await sha256Hex(token);
  const cached = cachedSessionMembership(tokenHash, projectId, now);
  if (cached) {
    if (cached.session.expiresAt > now && liveSession([[cached.session], [cached.user]], "active", now)) return cached;
    forgetSessionMembership(tokenHash, projectId);
  }
  const [session, user, ...membership] = await sessionMembershipBatch(ctx.db, { tokenHash, now, projectId });
  const live = liveSession([session, user], "active", now);
  if (!live) return undefined;
  const member = toMembership(membership);
  if (!member) return { ...live, membership: undefined };
  const found = { ...live, membership: member };
  rememberSessionMembership(tokenHash, projectId, found, since, now);
  return found;
}

function parsePermissions(text: string): Permission[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((p): p is Permission => typeof p === "string" && isPermission(p)) : [];
}

function myProjectsQuery(db: Db, userId: UserRef) {
  return db
    .select({
      id: projects.id,
      name: projects.name,
      role: sql<string>`coalesce(${roles.name}, ${memberships.role})`.as("role_name"),
      organizationId: memberships.organizationId,
    })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .leftJoin(roles, and(eq(roles.id, memberships.roleId), eq(roles.projectId, memberships.projectId)))
    .where(eq(memberships.userId, userId))
    .orderBy(projects.name);
}

/** The projects the signed-in user is a member of, by name. */
export async function listMyProjects(ctx: UserContext): Promise<MyProject[]> {
  return myProjectsQuery(ctx.db, ctx.actor.user.id);
}
