import { and, eq } from "drizzle-orm";
import { type MemberRole, memberships, type Project, placements, projects } from "../../db/schema";
import type { Access } from "../../lib/permissions";
import type { PlacementRef, UserContext } from "../context";
import { unreadCountQuery } from "../notifications/notify";

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
      .select({ project: projects, placement: { shard: placements.shard, pn: placements.pn }, membership: memberships })
      .from(memberships)
      .innerJoin(projects, eq(projects.id, memberships.projectId))
      .innerJoin(placements, eq(placements.projectId, projects.id))
      .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)))
      .limit(1),
    unreadCountQuery(db, projectId, userId),
  ]);
  if (!row) return undefined;
  const { role, organizationId } = row.membership;
  return {
    project: row.project,
    placement: row.placement,
    access: { role, organizationId: role === "viewer" ? organizationId : null },
    unread: unread?.n ?? 0,
  };
}

export type MyProject = { id: string; name: string; role: MemberRole; organizationId: string | null };

/** The projects the signed-in user is a member of, by name. */
export async function listMyProjects(ctx: UserContext): Promise<MyProject[]> {
  return ctx.db
    .select({
      id: projects.id,
      name: projects.name,
      role: memberships.role,
      organizationId: memberships.organizationId,
    })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, ctx.actor.user.id))
    .orderBy(projects.name);
}
