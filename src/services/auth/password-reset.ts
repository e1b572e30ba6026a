import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { loginThrottle, passwordResets, sessions, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { newId, randomToken } from "../../lib/ids";
import { hashPassword } from "../../lib/password";
import type { ServiceContext } from "../context";
import { doneBy, logOwnEvent } from "../ingest/own-events";
import { sendEmail } from "../mail/notification-emails";
import { NewPassword } from "../members/accept-invite";
import { logAuth, projectsOf } from "./sign-in";
import { countAttempt } from "./throttle";

// Forgot password (README "Forgot password"): a link by e-mail, valid 30 minutes, once. The answer
// is the same, after the same work, whether or not the address has an account: the lookup and the
// token are made either way, and only an account's link is stored, sent and recorded — after the
// answer. Requests are throttled like sign-ins (5 per address, 20 per IP address in 15 minutes),
// on their own counts. A reset ends every session of the account.

export const RESET_LIFETIME_MS = 30 * 60_000;

export const ForgotInput = z.object({
  email: z.string().trim().toLowerCase().min(1, "enter your e-mail address").max(320),
});
export const ResetInput = z.object({ token: z.string().min(20).max(100) }).and(NewPassword);

export type ResetRequestResult = { kind: "sent" } | { kind: "throttled"; retryAfterMs: number };

/** The link of a reset token on this deployment. */
export function resetLink(origin: string, token: string): string {
  return `${origin}/login/reset?token=${encodeURIComponent(token)}`;
}

export async function requestPasswordReset(
  ctx: ServiceContext,
  input: { email: string; origin: string },
  now = Date.now(),
): Promise<ResetRequestResult> {
  const email = input.email.trim().toLowerCase();
  const keys = [`reset:${email}`, ...(ctx.origin.ip ? [`reset-ip:${ctx.origin.ip}`] : [])];
  const wait = await countAttempt(ctx, keys, now);
  if (wait > 0) return { kind: "throttled", retryAfterMs: wait };
  const [user] = await ctx.db.select().from(users).where(eq(users.email, email)).limit(1);
  const token = randomToken(32);
  const tokenHash = await sha256Hex(token);
  if (user) {
    ctx.waitUntil(
      sendResetLink(ctx, user, { token, tokenHash, origin: input.origin }, now).catch((error: unknown) =>
        console.error("sending a password reset link failed", error),
      ),
    );
  }
  return { kind: "sent" };
}

async function sendResetLink(
  ctx: ServiceContext,
  user: User,
  link: { token: string; tokenHash: string; origin: string },
  now: number,
) {
  await ctx.db.insert(passwordResets).values({
    id: newId("pwr", now),
    userId: user.id,
    tokenHash: link.tokenHash,
    createdAt: now,
    expiresAt: now + RESET_LIFETIME_MS,
  });
  const url = resetLink(link.origin, link.token);
  const text = [
    `Someone (we hope you) asked to reset the Trailbook password of ${user.email}.`,
    `Open this link within 30 minutes to choose a new password. It works once, and signs out every session of the account:`,
    url,
    "If you did not ask for this, ignore this e-mail: your password stays as it is.",
  ].join("\n\n");
  const result = await sendEmail(ctx, user.email, "Reset your Trailbook password", text);
  // Locally there is no e-mail binding: the link goes to the `wrangler dev` log instead. Never in
  // production, whose logs must not hold working links.
  if (result.status === "pending" && ctx.config.ENVIRONMENT !== "production")
    console.log(`[trailbook] password reset link for ${user.email}: ${url}`);
  await logOwnEvent(ctx, await projectsOf(ctx, user.id), {
    category: "email",
    type: "email.sent",
    status: result.status,
    summary: `Password reset e-mail to ${user.email}`,
    ...(result.note && { message: result.note }),
    ...doneBy(ctx, { kind: "system", name: "accounts" }),
    entity: { type: "user", id: user.id, name: user.email },
    metadata: { to: user.email, email_type: "password_reset" },
  });
}

function findOpen(tokenHash: string, now: number) {
  return and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now));
}

/** Whether a link's token can still be used (to show the form, or say that it cannot). */
export async function resetTokenValid(ctx: ServiceContext, token: string, now = Date.now()): Promise<boolean> {
  if (token.length < 20 || token.length > 100) return false;
  const [row] = await ctx.db
    .select({ id: passwordResets.id })
    .from(passwordResets)
    .where(findOpen(await sha256Hex(token), now))
    .limit(1);
  return Boolean(row);
}

/**
 * Sets the new password. The token is claimed first (one statement: unused and unexpired), so it
 * works once even when sent twice at the same moment; then every session of the account ends and
 * its other open links are spent.
 */
export async function completePasswordReset(
  ctx: ServiceContext,
  input: { token: string; password: string },
  now = Date.now(),
): Promise<User | undefined> {
  const { db } = ctx;
  const [claimed] = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(findOpen(await sha256Hex(input.token), now))
    .returning({ userId: passwordResets.userId });
  if (!claimed) return undefined;
  const [user] = await db.select().from(users).where(eq(users.id, claimed.userId)).limit(1);
  if (!user) return undefined;
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(input.password), mustChangePassword: false })
      .where(eq(users.id, user.id)),
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt))),
    db
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt))),
    // Proving the mailbox lifts a lockout of the address, as a right password would.
    db.delete(loginThrottle).where(eq(loginThrottle.key, `email:${user.email}`)),
  ]);
  await logAuth(ctx, user, {
    type: "user.password_reset",
    status: "success",
    summary: `${user.email} reset their password with an e-mailed link; every session was signed out`,
  });
  return user;
}
