import { and, desc, eq, gt, isNull, notExists, type SQL } from "drizzle-orm";
import { z } from "zod";
import { type Invite, invites, memberships, type Project, projects, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ConflictError, NotFoundError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { hashPassword } from "../../lib/password";
import { type ServiceContext, signedInUser, userOf } from "../context";
import { doneBy, logOwnEvent, requestOf } from "../ingest/own-events";

export const NewPassword = z
  .object({
    password: z.string().min(10, "use at least 10 characters").max(200),
    password_confirm: z.string(),
  })
  .refine((v) => v.password === v.password_confirm, {
    message: "the two passwords differ",
    path: ["password_confirm"],
  });

export const AcceptInviteInput = z
  .object({ name: z.string().trim().min(1, "enter your name").max(100) })
  .and(NewPassword);

const GONE = "This invitation is not valid: it was used, declined, revoked or has expired. Ask for a new one.";

function isOpen(now: number): SQL | undefined {
  return and(
    isNull(invites.acceptedAt),
    isNull(invites.revokedAt),
    isNull(invites.declinedAt),
    gt(invites.expiresAt, now),
  );
}

async function openInvite(ctx: ServiceContext, where: SQL | undefined, now: number) {
  const [row] = await ctx.db
    .select({ invite: invites, project: projects })
    .from(invites)
    .innerJoin(projects, eq(projects.id, invites.projectId))
    .where(and(where, isOpen(now)))
    .limit(1);
  return row;
}

/**
 * An open invitation by its link token, with its project and the account of the invited address
 * if there is one. Callers must not show the latter to anyone but that account: who is registered
 * is nobody else's business.
 */
export async function findInvite(
  ctx: ServiceContext,
  token: string,
  now = Date.now(),
): Promise<{ invite: Invite; project: Project; existingUser: User | undefined } | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const row = await openInvite(ctx, eq(invites.tokenHash, await sha256Hex(token)), now);
  if (!row) return undefined;
  const [existingUser] = await ctx.db.select().from(users).where(eq(users.email, row.invite.email)).limit(1);
  return { ...row, existingUser };
}

export type PendingInvite = Pick<Invite, "id" | "role" | "organizationId" | "expiresAt"> & { projectName: string };

/** The open invitations addressed to the signed-in user, for projects they are not a member of yet. */
export async function pendingInvitesFor(ctx: ServiceContext, now = Date.now()): Promise<PendingInvite[]> {
  const { db } = ctx;
  const user = signedInUser(ctx);
  return db
    .select({
      id: invites.id,
      role: invites.role,
      organizationId: invites.organizationId,
      expiresAt: invites.expiresAt,
      projectName: projects.name,
    })
    .from(invites)
    .innerJoin(projects, eq(projects.id, invites.projectId))
    .where(
      and(
        eq(invites.email, user.email),
        isOpen(now),
        notExists(
          db
            .select({ one: memberships.userId })
            .from(memberships)
            .where(and(eq(memberships.projectId, invites.projectId), eq(memberships.userId, user.id))),
        ),
      ),
    )
    .orderBy(desc(invites.createdAt))
    .limit(100);
}

type AcceptInput = {
  /** The link's token, or the invitation's id for a signed-in user answering from their list. */
  invitation: { token: string } | { id: string };
  newAccount?: { name: string; password: string } | undefined;
};

/**
 * Accepts an invitation: a new address gets an account with the chosen password; an existing
 * account accepts it only while signed in (the context's actor) as that address. The invite is
 * marked used in the same batch that adds the membership.
 */
export async function acceptInvite(
  ctx: ServiceContext,
  input: AcceptInput,
  now = Date.now(),
): Promise<{ user: User; project: Project }> {
  const { db } = ctx;
  const signedIn = userOf(ctx.actor);
  const found =
    "token" in input.invitation
      ? await findInvite(ctx, input.invitation.token, now)
      : await findOwnInvite(ctx, input.invitation.id, signedIn, now);
  if (!found) throw new NotFoundError(GONE);
  const { invite, project, existingUser } = found;
  let user: User;
  if (signedIn) {
    if (signedIn.email !== invite.email)
      throw new ConflictError(
        `This invitation is for ${invite.email}, and you are signed in as ${signedIn.email}. Sign out, then open the link again.`,
      );
    user = signedIn;
    const [already] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.projectId, project.id), eq(memberships.userId, user.id)));
    if (already) throw new ConflictError(`You are already a member of ${project.name}.`);
  } else if (existingUser) {
    throw new ConflictError(`Sign in as ${invite.email} first, then open the link again.`);
  } else {
    if (!input.newAccount) throw new ConflictError("Choose a name and a password to create your account.");
    user = {
      id: newId("usr", now),
      email: invite.email,
      name: input.newAccount.name,
      passwordHash: await hashPassword(input.newAccount.password),
      totpSecret: null,
      totpLastCounter: null,
      mustChangePassword: false,
      operator: false,
      createdAt: now,
    };
  }
  const claim = db
    .update(invites)
    .set({ acceptedAt: now })
    .where(and(eq(invites.id, invite.id), isOpen(now)));
  const join = db
    .insert(memberships)
    .values({
      projectId: project.id,
      userId: user.id,
      role: invite.role,
      organizationId: invite.organizationId,
      roleId: invite.roleId,
      createdAt: now,
    })
    .onConflictDoNothing();
  if (signedIn) await db.batch([claim, join]);
  else await db.batch([claim, db.insert(users).values(user), join]);
  await logOwnEvent(ctx, [project], {
    category: "configuration",
    type: "member.joined",
    status: "success",
    summary: `${invite.email} accepted the invitation as ${invite.role}`,
    // A new account is the one joining, though nobody was signed in when the form was sent.
    ...doneBy(ctx, { kind: "user", user }),
    entity: { type: "member", id: user.id, name: user.email },
    changes: {
      role: [null, invite.role],
      organization_id: [null, invite.organizationId],
      ...(invite.roleId && { role_id: [null, invite.roleId] }),
    },
  });
  return { user, project };
}

async function findOwnInvite(ctx: ServiceContext, id: string, user: User | undefined, now: number) {
  if (!user) return undefined;
  const row = await openInvite(ctx, and(eq(invites.id, id), eq(invites.email, user.email)), now);
  return row && { ...row, existingUser: user };
}

/**
 * Turns an invitation down. The project learns only that its invitation was declined: the event
 * names the address its admin typed, not the account behind it.
 */
export async function declineInvite(ctx: ServiceContext, inviteId: string, now = Date.now()): Promise<void> {
  const { db } = ctx;
  const user = signedInUser(ctx);
  const [declined] = await db
    .update(invites)
    .set({ declinedAt: now })
    .where(and(eq(invites.id, inviteId), eq(invites.email, user.email), isOpen(now)))
    .returning();
  if (!declined) throw new NotFoundError(GONE);
  const [project] = await db.select().from(projects).where(eq(projects.id, declined.projectId));
  if (!project) return;
  await logOwnEvent(ctx, [project], {
    category: "configuration",
    type: "invite.declined",
    status: "success",
    summary: `${declined.email} declined the invitation as ${declined.role}`,
    actor: { type: "team_member", email: declined.email },
    source: "dashboard",
    entity: { type: "member", id: declined.id, name: declined.email },
    changes: { declined: [false, true] },
    request: requestOf(ctx.origin),
  });
}
