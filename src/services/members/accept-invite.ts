import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { type Invite, invites, memberships, type Project, projects, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ConflictError, NotFoundError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { hashPassword } from "../../lib/password";
import { logOwnEvent, type Origin, requestOf } from "../audit/log-own";

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

/** An open invitation by its link token, with its project and whether the address has an account. */
export async function findInvite(
  db: Db,
  token: string,
  now = Date.now(),
): Promise<{ invite: Invite; project: Project; existingUser: User | undefined } | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const [row] = await db
    .select({ invite: invites, project: projects })
    .from(invites)
    .innerJoin(projects, eq(projects.id, invites.projectId))
    .where(
      and(
        eq(invites.tokenHash, await sha256Hex(token)),
        isNull(invites.acceptedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, now),
      ),
    )
    .limit(1);
  if (!row) return undefined;
  const [existingUser] = await db.select().from(users).where(eq(users.email, row.invite.email)).limit(1);
  return { ...row, existingUser };
}

/**
 * Accepts an invitation: a new address gets an account with the chosen password, an existing one
 * (signed in as that address) just joins. The invite is marked used in the same batch.
 */
export async function acceptInvite(
  db: Db,
  d1: D1Database,
  input: { token: string; newAccount?: { name: string; password: string }; signedInUser?: User; origin: Origin },
  now = Date.now(),
): Promise<User> {
  const found = await findInvite(db, input.token, now);
  if (!found)
    throw new NotFoundError(
      "This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.",
    );
  const { invite, project, existingUser } = found;
  let user: User;
  if (existingUser) {
    if (input.signedInUser?.id !== existingUser.id)
      throw new ConflictError(`Sign in as ${invite.email} first, then open the link again.`);
    user = existingUser;
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
      createdAt: now,
    };
  }
  const claim = db
    .update(invites)
    .set({ acceptedAt: now })
    .where(and(eq(invites.id, invite.id), isNull(invites.acceptedAt)));
  const join = db
    .insert(memberships)
    .values({
      projectId: project.id,
      userId: user.id,
      role: invite.role,
      organizationId: invite.organizationId,
      createdAt: now,
    })
    .onConflictDoNothing();
  if (existingUser) await db.batch([claim, join]);
  else await db.batch([claim, db.insert(users).values(user), join]);
  await logOwnEvent(d1, [project], {
    category: "configuration",
    type: "member.joined",
    status: "success",
    summary: `${invite.email} accepted the invitation as ${invite.role}`,
    actor: { type: "team_member", id: user.id, name: user.name, email: user.email },
    source: "dashboard",
    entity: { type: "member", id: user.id, name: user.email },
    changes: { role: [null, invite.role], organization_id: [null, invite.organizationId] },
    request: requestOf(input.origin),
  });
  return user;
}
