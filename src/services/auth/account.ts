import { eq } from "drizzle-orm";
import { z } from "zod";
import { recoveryCodes, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ValidationError } from "../../lib/errors";
import { hashPassword, verifyPassword } from "../../lib/password";
import { open, SealError, seal } from "../../lib/secret-box";
import { generateRecoveryCodes, verifyTotp } from "../../lib/totp";
import type { UserContext } from "../context";
import { NewPassword } from "../members/accept-invite";
import { revokeOtherSessions } from "./sessions";
import { logAuth, TOTP_PURPOSE } from "./sign-in";

export const ChangePasswordInput = z
  .object({ current_password: z.string().min(1, "enter your current password").max(1000) })
  .and(NewPassword);
export const ConfirmTotpInput = z.object({
  pending: z.string().min(1).max(500),
  code: z.string().trim().min(1, "enter the code from your app").max(20),
});
export const DisableTotpInput = z.object({ current_password: z.string().min(1, "enter your password").max(1000) });

const PENDING_PURPOSE = "totp-enrolment";

/** Changes to one's own account are auth events in every project of the user. */
async function logAccount(ctx: UserContext, type: string, summary: string) {
  await logAuth(ctx, ctx.actor.user, { type, status: "success", summary });
}

function wrongPassword(): ValidationError {
  return new ValidationError("Your current password is not correct.", [
    { path: "current_password", message: "not correct" },
  ]);
}

/** Changes the password and signs out every other session of the user (`sessionId` is the one kept). */
export async function changePassword(
  ctx: UserContext,
  input: z.output<typeof ChangePasswordInput> & { sessionId: string },
): Promise<void> {
  const { user } = ctx.actor;
  if (!(await verifyPassword(input.current_password, user.passwordHash))) throw wrongPassword();
  await ctx.db
    .update(users)
    .set({ passwordHash: await hashPassword(input.password), mustChangePassword: false })
    .where(eq(users.id, user.id));
  await revokeOtherSessions(ctx, user.id, input.sessionId);
  await logAccount(ctx, "user.password_changed", `${user.email} changed their password`);
}

/**
 * The secret being enrolled travels in the form, sealed for this user, until a code proves the app
 * has it; nothing is stored before that.
 */
export async function sealPendingSecret(ctx: UserContext, secret: string): Promise<string> {
  return seal(
    ctx.config.SECRETS_KEY,
    JSON.stringify({ user: ctx.actor.user.id, secret, at: Date.now() }),
    PENDING_PURPOSE,
  );
}

/**
 * The secret being enrolled, from its sealed form value: the same one until the user confirms it,
 * so a mistyped code never replaces what the app already scanned.
 */
export async function openPendingSecret(ctx: UserContext, sealed: string): Promise<string> {
  let pending: { user: string; secret: string; at: number };
  try {
    pending = JSON.parse(await open(ctx.config.SECRETS_KEY, sealed, PENDING_PURPOSE)) as typeof pending;
  } catch (error) {
    // A form value that is not ours, or no JSON inside; anything else is a real failure.
    if (!(error instanceof SealError || error instanceof SyntaxError)) throw error;
    throw new ValidationError("The enrolment form is not valid any more; start again.", [
      { path: "pending", message: "invalid" },
    ]);
  }
  if (pending.user !== ctx.actor.user.id || Date.now() - pending.at > 30 * 60 * 1000) {
    throw new ValidationError("The enrolment expired; start again.", [{ path: "pending", message: "expired" }]);
  }
  return pending.secret;
}

/** Confirms enrolment with a code; returns the recovery codes, shown once. */
export async function confirmTotp(ctx: UserContext, input: z.output<typeof ConfirmTotpInput>): Promise<string[]> {
  const { db } = ctx;
  const { user } = ctx.actor;
  const pending = { secret: await openPendingSecret(ctx, input.pending) };
  const counter = await verifyTotp(pending.secret, input.code);
  if (counter === null)
    throw new ValidationError("That code did not match; try the current code from your app.", [
      { path: "code", message: "did not match" },
    ]);
  const codes = generateRecoveryCodes();
  const sealed = await seal(ctx.config.SECRETS_KEY, pending.secret, TOTP_PURPOSE);
  const hashes = await Promise.all(codes.map((code) => sha256Hex(code)));
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
    db.update(users).set({ totpSecret: sealed, totpLastCounter: counter }).where(eq(users.id, user.id)),
    db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId: user.id, codeHash }))),
  ]);
  await logAccount(ctx, "user.totp_enabled", `${user.email} turned on two-step verification`);
  return codes;
}

export async function disableTotp(ctx: UserContext, input: z.output<typeof DisableTotpInput>): Promise<void> {
  const { db } = ctx;
  const { user } = ctx.actor;
  if (!(await verifyPassword(input.current_password, user.passwordHash))) throw wrongPassword();
  await db.batch([
    db.update(users).set({ totpSecret: null, totpLastCounter: null }).where(eq(users.id, user.id)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id)),
  ]);
  await logAccount(ctx, "user.totp_disabled", `${user.email} turned off two-step verification`);
}
