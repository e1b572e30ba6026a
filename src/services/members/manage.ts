import { and, asc, count, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { type Invite, invites, MEMBER_ROLES, type MemberRole, memberships, roles, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/errors";
import { newId, randomToken } from "../../lib/ids";
import { ALL_PERMISSIONS, can, PERMISSIONS, type Permission, permissionsOf } from "../../lib/permissions";
import type { MemberContext, ProjectContext } from "../context";
import { logChange } from "../ingest/own-events";

export const INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const organization = z
  .string()
  .trim()
  .max(1000)
  .transform((v) => v || null);

/** A built-in role, or the id of one of the project's custom roles (README "Roles"). */
const RoleChoice = z.union(
  [z.enum(MEMBER_ROLES), z.string().regex(/^rol_[0-9a-z]{26}$/)],
  "choose owner, admin, member, viewer or a custom role",
);

export const MemberInput = z.object({
  email: z.string().trim().toLowerCase().email("enter an e-mail address").max(320),
  role: RoleChoice,
  organization_id: organization.optional(),
});
export const MemberUpdate = z.object({
  role: RoleChoice,
  organization_id: organization.optional(),
});

export type Member = {
  userId: string;
  email: string;
  name: string;
  role: MemberRole;
  organizationId: string | null;
  /** A custom role, when the member holds one (then it, not `role`, decides). */
  roleId: string | null;
  roleName: string | null;
  createdAt: number;
};

export async function listMembers(ctx: ProjectContext): Promise<Member[]> {
  return ctx.db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      organizationId: memberships.organizationId,
      roleId: memberships.roleId,
      // Aliased: D1 returns rows keyed by column name, and users has a name too.
      roleName: sql<string | null>`${roles.name}`.as("role_name"),
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(roles, and(eq(roles.id, memberships.roleId), eq(roles.projectId, memberships.projectId)))
    .where(eq(memberships.projectId, ctx.project.id))
    .orderBy(asc(users.email));
}

/** A role as given to a member: the built-in role stored, the custom role if any, and what it grants. */
type Grant = { role: MemberRole; roleId: string | null; label: string; permissions: readonly Permission[] };

function builtIn(role: MemberRole): Grant {
  const permissions = ALL_PERMISSIONS.filter((p) => (PERMISSIONS[p] as readonly MemberRole[]).includes(role));
  return { role, roleId: null, label: role, permissions };
}

/** What a form's role value grants; a custom role must be one of this project's. */
async function grantOf(ctx: ProjectContext, choice: string): Promise<Grant> {
  if ((MEMBER_ROLES as readonly string[]).includes(choice)) return builtIn(choice as MemberRole);
  const [custom] = await ctx.db
    .select()
    .from(roles)
    .where(and(eq(roles.projectId, ctx.project.id), eq(roles.id, choice)))
    .limit(1);
  if (!custom)
    throw new ValidationError("role: no such role in this project", [{ path: "role", message: "no such role" }]);
  return {
    // A custom role's holder is stored as a viewer, so a check that reads the built-in role alone gives least.
    role: "viewer",
    roleId: custom.id,
    label: custom.name,
    permissions: ALL_PERMISSIONS.filter((p) => custom.permissions.includes(p)),
  };
}

/** The grant a membership holds now. */
async function currentGrant(ctx: ProjectContext, m: { role: MemberRole; roleId: string | null }): Promise<Grant> {
  if (!m.roleId) return builtIn(m.role);
  const [custom] = await ctx.db
    .select()
    .from(roles)
    .where(and(eq(roles.projectId, ctx.project.id), eq(roles.id, m.roleId)))
    .limit(1);
  if (!custom) return { ...builtIn(m.role), roleId: m.roleId };
  return {
    role: m.role,
    roleId: custom.id,
    label: custom.name,
    permissions: ALL_PERMISSIONS.filter((p) => custom.permissions.includes(p)),
  };
}

export async function listOpenInvites(ctx: ProjectContext, now = Date.now()): Promise<Invite[]> {
  return ctx.db
    .select()
    .from(invites)
    .where(
      and(
        eq(invites.projectId, ctx.project.id),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        isNull(invites.declinedAt),
        gt(invites.expiresAt, now),
      ),
    )
    .orderBy(desc(invites.createdAt));
}

/**
 * Only owners hand out or take away ownership; and nobody gives, changes or takes away a role that
 * grants anything they lack themselves (so a custom role that may manage members cannot make
 * anyone, itself included, more powerful than it is).
 */
function checkGrant(ctx: MemberContext, grant: Grant, current?: Grant) {
  const owner = (g: Grant | undefined) => g !== undefined && g.roleId === null && g.role === "owner";
  if ((owner(grant) || owner(current)) && !can(ctx.actor.access, "members.manage_owners")) {
    throw new ForbiddenError("Only an owner can add, change or remove owners.");
  }
  const mine = new Set(permissionsOf(ctx.actor.access));
  for (const g of [grant, current]) {
    if (g?.permissions.some((p) => !mine.has(p)))
      throw new ForbiddenError(
        `The role ${g.label} grants permissions you do not have, so you cannot give it, change it or take it away.`,
      );
  }
}

/** A scope is for (built-in) viewers only. */
function scopeFor(grant: Grant, organizationId: string | null | undefined): string | null {
  return grant.role === "viewer" && grant.roleId === null ? (organizationId ?? null) : null;
}

async function log(
  ctx: MemberContext,
  type: string,
  summary: string,
  member: { id: string; email: string },
  changes: Record<string, [unknown, unknown]>,
) {
  await logChange(ctx, { type, summary, entity: { type: "member", id: member.id, name: member.email }, changes });
}

export type AddMemberResult = { kind: "invited"; email: string; token: string };

/**
 * Invites someone to the project. Every addition is an invitation, whether or not the address has
 * an account: an account joins only by accepting it while signed in, and a new address picks its
 * own password on the link. So the answer, and the work behind it, are the same for registered and
 * unregistered addresses and reveal nothing about who has an account.
 */
export async function addMember(
  ctx: MemberContext,
  input: z.output<typeof MemberInput>,
  now = Date.now(),
): Promise<AddMemberResult> {
  const { db } = ctx;
  const grant = await grantOf(ctx, input.role);
  checkGrant(ctx, grant);
  const organizationId = scopeFor(grant, input.organization_id);
  // Members of this project are listed to its admins anyway; one query either way.
  const [already] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.projectId, ctx.project.id), eq(users.email, input.email)))
    .limit(1);
  if (already) throw new ConflictError(`${input.email} is already a member of this project.`);
  const token = randomToken(32);
  const id = newId("inv", now);
  await db.insert(invites).values({
    id,
    projectId: ctx.project.id,
    email: input.email,
    role: grant.role,
    organizationId,
    roleId: grant.roleId,
    tokenHash: await sha256Hex(token),
    createdBy: ctx.actor.user.id,
    createdAt: now,
    expiresAt: now + INVITE_LIFETIME_MS,
  });
  await log(
    ctx,
    "member.invited",
    `${input.email} invited as ${grant.label}`,
    { id, email: input.email },
    {
      role: [null, grant.label],
      organization_id: [null, organizationId],
    },
  );
  return { kind: "invited", email: input.email, token };
}

async function ownerCount(ctx: ProjectContext): Promise<number> {
  const [row] = await ctx.db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.projectId, ctx.project.id), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

async function membershipOf(ctx: ProjectContext, userId: string) {
  const [row] = await ctx.db
    .select({ membership: memberships, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.projectId, ctx.project.id), eq(memberships.userId, userId)));
  if (!row) throw new NotFoundError("No such member in this project.");
  return row;
}

export async function updateMember(
  ctx: MemberContext,
  userId: string,
  input: z.output<typeof MemberUpdate>,
): Promise<void> {
  const { membership, email } = await membershipOf(ctx, userId);
  const grant = await grantOf(ctx, input.role);
  const current = await currentGrant(ctx, membership);
  checkGrant(ctx, grant, current);
  const organizationId = scopeFor(grant, input.organization_id);
  const wasOwner = current.roleId === null && current.role === "owner";
  const staysOwner = grant.roleId === null && grant.role === "owner";
  if (wasOwner && !staysOwner && (await ownerCount(ctx)) <= 1) {
    throw new ValidationError("A project needs at least one owner: make someone else owner first.", [
      { path: "role", message: "last owner" },
    ]);
  }
  const changes: Record<string, [unknown, unknown]> = {};
  if (current.label !== grant.label || current.roleId !== grant.roleId) changes.role = [current.label, grant.label];
  if (membership.organizationId !== organizationId)
    changes.organization_id = [membership.organizationId, organizationId];
  if (Object.keys(changes).length === 0) return;
  await ctx.db
    .update(memberships)
    .set({ role: grant.role, roleId: grant.roleId, organizationId })
    .where(and(eq(memberships.projectId, ctx.project.id), eq(memberships.userId, userId)));
  await log(
    ctx,
    "member.updated",
    `${email} is now ${grant.label}${organizationId ? ` of ${organizationId}` : ""}`,
    { id: userId, email },
    changes,
  );
}

export async function removeMember(ctx: MemberContext, userId: string): Promise<void> {
  const { membership, email } = await membershipOf(ctx, userId);
  const current = await currentGrant(ctx, membership);
  checkGrant(ctx, current, current);
  if (current.roleId === null && membership.role === "owner" && (await ownerCount(ctx)) <= 1) {
    throw new ValidationError("A project needs at least one owner: make someone else owner first.", [
      { path: "role", message: "last owner" },
    ]);
  }
  await ctx.db
    .delete(memberships)
    .where(and(eq(memberships.projectId, ctx.project.id), eq(memberships.userId, userId)));
  await log(ctx, "member.removed", `${email} removed`, { id: userId, email }, { role: [current.label, null] });
}

export async function revokeInvite(ctx: MemberContext, inviteId: string): Promise<void> {
  const [invite] = await ctx.db
    .update(invites)
    .set({ revokedAt: Date.now() })
    .where(
      and(
        eq(invites.id, inviteId),
        eq(invites.projectId, ctx.project.id),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        isNull(invites.declinedAt),
      ),
    )
    .returning();
  if (!invite) throw new NotFoundError("No open invitation with this id.");
  await log(
    ctx,
    "invite.revoked",
    `Invitation of ${invite.email} revoked`,
    { id: invite.id, email: invite.email },
    { revoked: [false, true] },
  );
}
