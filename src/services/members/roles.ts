import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { isConstraintViolation } from "../../db/errors";
import { invites, memberships, type Role, roles } from "../../db/schema";
import { ConflictError, ForbiddenError, InvariantError, NotFoundError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { ALL_PERMISSIONS, isPermission, type Permission, permissionsOf } from "../../lib/permissions";
import { storableText } from "../../lib/validation";
import { actorId, type MemberContext, type ProjectContext } from "../context";
import { logChange } from "../ingest/own-events";

// Custom roles (README "Roles"): a project's owners define named sets of the permission table's
// permissions and give them to members beside the built-in roles. Every change is a
// `configuration` event; a role that a member or an open invitation holds cannot be deleted.

export const MAX_ROLES = 50;
const BUILT_IN = ["owner", "admin", "member", "viewer"];

const permissionList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(
    z
      .array(z.enum(ALL_PERMISSIONS as [Permission, ...Permission[]], "unknown permission"))
      .min(1, "choose at least one permission"),
  );

export const RoleInput = z.object({
  name: storableText()
    .trim()
    .min(1, "is required")
    .max(60)
    .refine((n) => !BUILT_IN.includes(n.toLowerCase()), "is the name of a built-in role"),
  permissions: permissionList,
});
export type RoleInput = z.output<typeof RoleInput>;

export type RoleWithUsage = Role & { members: number; invites: number };

/** A role's permissions, those the table still knows (a retired name grants nothing). */
export function grantsOf(role: Pick<Role, "permissions">): Permission[] {
  return ALL_PERMISSIONS.filter((p) => role.permissions.includes(p) && isPermission(p));
}

export async function listRoles(ctx: ProjectContext, now = Date.now()): Promise<RoleWithUsage[]> {
  const { db } = ctx;
  const [all, held, invited] = await db.batch([
    db.select().from(roles).where(eq(roles.projectId, ctx.project.id)).orderBy(asc(roles.name)),
    db
      .select({ roleId: memberships.roleId, n: count() })
      .from(memberships)
      .where(eq(memberships.projectId, ctx.project.id))
      .groupBy(memberships.roleId),
    db
      .select({ roleId: invites.roleId, n: count() })
      .from(invites)
      .where(and(eq(invites.projectId, ctx.project.id), openInvite(now)))
      .groupBy(invites.roleId),
  ]);
  const members = new Map(held.map((r) => [r.roleId, r.n]));
  const open = new Map(invited.map((r) => [r.roleId, r.n]));
  return all.map((r) => ({ ...r, members: members.get(r.id) ?? 0, invites: open.get(r.id) ?? 0 }));
}

function openInvite(now: number) {
  return and(
    isNull(invites.acceptedAt),
    isNull(invites.revokedAt),
    isNull(invites.declinedAt),
    gt(invites.expiresAt, now),
  );
}

export async function getRole(ctx: ProjectContext, id: string): Promise<Role> {
  const [role] = await ctx.db
    .select()
    .from(roles)
    .where(and(eq(roles.projectId, ctx.project.id), eq(roles.id, id)))
    .limit(1);
  if (!role) throw new NotFoundError("No role with this id in this project.");
  return role;
}

/** Nobody defines or changes a role that grants more than they hold themselves. */
function checkWithin(ctx: MemberContext, permissions: readonly string[]) {
  const mine = new Set<string>(permissionsOf(ctx.actor.access));
  const beyond = permissions.filter((p) => !mine.has(p));
  if (beyond.length > 0)
    throw new ForbiddenError(`A role can only hold permissions you have yourself; you lack ${beyond.join(", ")}.`);
}

function duplicateName(name: string): ConflictError {
  return new ConflictError(`A role named "${name}" already exists in this project.`, [
    { path: "name", message: "already exists" },
  ]);
}

export async function createRole(ctx: MemberContext, input: RoleInput, now = Date.now()): Promise<Role> {
  checkWithin(ctx, input.permissions);
  const [existing] = await ctx.db.select({ n: count() }).from(roles).where(eq(roles.projectId, ctx.project.id));
  if ((existing?.n ?? 0) >= MAX_ROLES)
    throw new ConflictError(`A project has at most ${MAX_ROLES} custom roles; delete one first.`);
  let role: Role | undefined;
  try {
    [role] = await ctx.db
      .insert(roles)
      .values({
        id: newId("rol", now),
        projectId: ctx.project.id,
        name: input.name,
        permissions: input.permissions,
        createdBy: actorId(ctx.actor),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
  } catch (error) {
    if (isConstraintViolation(error, "UNIQUE")) throw duplicateName(input.name);
    throw error;
  }
  if (!role) throw new InvariantError("insert into roles returned no row");
  await logChange(ctx, {
    type: "role.created",
    summary: `Role created: ${role.name}`,
    entity: { type: "role", id: role.id, name: role.name },
    changes: { name: [null, role.name], permissions: [null, role.permissions] },
  });
  return role;
}

export async function updateRole(ctx: MemberContext, id: string, input: RoleInput, now = Date.now()): Promise<Role> {
  const current = await getRole(ctx, id);
  checkWithin(ctx, [...current.permissions, ...input.permissions]);
  let updated: Role | undefined;
  try {
    [updated] = await ctx.db
      .update(roles)
      .set({ name: input.name, permissions: input.permissions, updatedAt: now })
      .where(and(eq(roles.projectId, ctx.project.id), eq(roles.id, id)))
      .returning();
  } catch (error) {
    if (isConstraintViolation(error, "UNIQUE")) throw duplicateName(input.name);
    throw error;
  }
  if (!updated) throw new NotFoundError("No role with this id in this project.");
  const changes: Record<string, [unknown, unknown]> = {};
  if (current.name !== updated.name) changes.name = [current.name, updated.name];
  const before = [...current.permissions].sort();
  const after = [...updated.permissions].sort();
  if (before.join() !== after.join()) changes.permissions = [before, after];
  if (Object.keys(changes).length > 0)
    await logChange(ctx, {
      type: "role.updated",
      summary: `Role changed: ${updated.name}`,
      entity: { type: "role", id: updated.id, name: updated.name },
      changes,
    });
  return updated;
}

/** Deletes a role nobody holds; one a member or an open invitation holds is refused, naming how many. */
export async function deleteRole(ctx: MemberContext, id: string, now = Date.now()): Promise<void> {
  const role = await getRole(ctx, id);
  checkWithin(ctx, role.permissions);
  const usage = (await listRoles(ctx, now)).find((r) => r.id === id);
  const members = usage?.members ?? 0;
  const open = usage?.invites ?? 0;
  if (members > 0 || open > 0) {
    const held = [
      members > 0 && `${members} member${members === 1 ? "" : "s"}`,
      open > 0 && `${open} open invitation${open === 1 ? "" : "s"}`,
    ]
      .filter(Boolean)
      .join(" and ");
    throw new ConflictError(
      `The role "${role.name}" is still given to ${held}. Give them another role (or revoke the invitations) first, then delete it.`,
    );
  }
  // The delete checks again, in the same statement, that nobody was given the role meanwhile.
  const deleted = await ctx.db
    .delete(roles)
    .where(
      and(
        eq(roles.projectId, ctx.project.id),
        eq(roles.id, id),
        sql`NOT EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.roleId} = ${id})`,
        sql`NOT EXISTS (SELECT 1 FROM ${invites} WHERE ${invites.roleId} = ${id} AND ${openInvite(now)})`,
      ),
    )
    .returning({ id: roles.id });
  if (deleted.length === 0)
    throw new ConflictError(`The role "${role.name}" was just given to someone; reload the page and try again.`);
  await logChange(ctx, {
    type: "role.deleted",
    summary: `Role deleted: ${role.name}`,
    entity: { type: "role", id: role.id, name: role.name },
    changes: { name: [role.name, null], permissions: [role.permissions, null] },
  });
}
