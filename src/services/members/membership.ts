import { and, eq, sql } from "drizzle-orm";
import { type MemberRole, memberships, type Project, placements, projects, roles } from "../../db/schema";
import { type Access, isPermission, type Permission } from "../../lib/permissions";
import type { PlacementRef, UserContext } from "../context";
import { unreadCountQuery } from "../notifications/notify";
import { hiddenCategories } from "../projects/view-access";

/**
 * The signed-in user's membership of a project: the project, their access (a scope only for a
 * viewer) and their unread count; undefined when they are not a member. One round trip for all
 * three: every project page waits on this before its own reads. The count depends only on the
 * project and the user, and is dropped unless the membership is there.
 */
export async function findMembership(
  ctx: UserContext,
  projectId: string,
): Promise<{ project: Project; placement: PlacementRef; access: Access; unread: number } | undefined> {
  const { db } = ctx;
  const userId = ctx.actor.user.id;
  const [[row], [unread]] = await db.batch([
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
    unreadCountQuery(db, projectId, userId),
  ]);
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
  };
}

/** `role`: the built-in role, or a custom role's name. */
function parsePermissions(text: string): Permission[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((p): p is Permission => typeof p === "string" && isPermission(p)) : [];
}

export type MyProject = { id: string; name: string; role: MemberRole | string; organizationId: string | null };

/** The projects the signed-in user is a member of, by name. */
export async function listMyProjects(ctx: UserContext): Promise<MyProject[]> {
  return ctx.db
    .select({
      id: projects.id,
      name: projects.name,
      role: sql<string>`coalesce(${roles.name}, ${memberships.role})`.as("role_name"),
      organizationId: memberships.organizationId,
    })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .leftJoin(roles, and(eq(roles.id, memberships.roleId), eq(roles.projectId, memberships.projectId)))
    .where(eq(memberships.userId, ctx.actor.user.id))
    .orderBy(projects.name);
}
