import { and, asc, count, desc, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { type Invite, invites, MEMBER_ROLES, type MemberRole, memberships, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/errors";
import { newId, randomToken } from "../../lib/ids";
import { can } from "../../lib/permissions";
import type { MemberContext, ProjectContext } from "../context";
import { logChange } from "../ingest/own-events";

export const INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const organization = z
  .string()
  .trim()
  .max(1000)
  .transform((v) => v || null);

export const MemberInput = z.object({
  email: z.string().trim().toLowerCase().email("enter an e-mail address").max(320),
  role: z.enum(MEMBER_ROLES, "choose owner, admin, member or viewer"),
  organization_id: organization.optional(),
});
export const MemberUpdate = z.object({
  role: z.enum(MEMBER_ROLES, "choose a role"),
  organization_id: organization.optional(),
});

export type Member = {
  userId: string;
  email: string;
  name: string;
  role: MemberRole;
  organizationId: string | null;
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
      createdAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.projectId, ctx.project.id))
    .orderBy(asc(users.email));
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

/** Only owners hand out or take away ownership; a scope is for viewers only. */
function checkGrant(ctx: MemberContext, role: MemberRole, current?: MemberRole) {
  if ((role === "owner" || current === "owner") && !can(ctx.actor.access.role, "members.manage_owners")) {
    throw new ForbiddenError("Only an owner can add, change or remove owners.");
  }
}

function scopeFor(role: MemberRole, organizationId: string | null | undefined): string | null {
  return role === "viewer" ? (organizationId ?? null) : null;
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
  checkGrant(ctx, input.role);
  const organizationId = scopeFor(input.role, input.organization_id);
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
    role: input.role,
    organizationId,
    tokenHash: await sha256Hex(token),
    createdBy: ctx.actor.user.id,
    createdAt: now,
    expiresAt: now + INVITE_LIFETIME_MS,
  });
  await log(
    ctx,
    "member.invited",
    `${input.email} invited as ${input.role}`,
    { id, email: input.email },
    {
      role: [null, input.role],
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
  checkGrant(ctx, input.role, membership.role);
  const organizationId = scopeFor(input.role, input.organization_id);
  if (membership.role === "owner" && input.role !== "owner" && (await ownerCount(ctx)) <= 1) {
    throw new ValidationError("A project needs at least one owner: make someone else owner first.", [
      { path: "role", message: "last owner" },
    ]);
  }
  const changes: Record<string, [unknown, unknown]> = {};
  if (membership.role !== input.role) changes.role = [membership.role, input.role];
  if (membership.organizationId !== organizationId)
    changes.organization_id = [membership.organizationId, organizationId];
  if (Object.keys(changes).length === 0) return;
  await ctx.db
    .update(memberships)
    .set({ role: input.role, organizationId })
    .where(and(eq(memberships.projectId, ctx.project.id), eq(memberships.userId, userId)));
  await log(
    ctx,
    "member.updated",
    `${email} is now ${input.role}${organizationId ? ` of ${organizationId}` : ""}`,
    { id: userId, email },
    changes,
  );
}

export async function removeMember(ctx: MemberContext, userId: string): Promise<void> {
  const { membership, email } = await membershipOf(ctx, userId);
  checkGrant(ctx, membership.role, membership.role);
  if (membership.role === "owner" && (await ownerCount(ctx)) <= 1) {
    throw new ValidationError("A project needs at least one owner: make someone else owner first.", [
      { path: "role", message: "last owner" },
    ]);
  }
  await ctx.db
    .delete(memberships)
    .where(and(eq(memberships.projectId, ctx.project.id), eq(memberships.userId, userId)));
  await log(ctx, "member.removed", `${email} removed`, { id: userId, email }, { role: [membership.role, null] });
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
