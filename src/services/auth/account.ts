import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { recoveryCodes, type Session, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { ValidationError } from "../../lib/errors";
import { hashPassword, verifyPassword } from "../../lib/password";
import { open, seal } from "../../lib/secret-box";
import { generateRecoveryCodes, verifyTotp } from "../../lib/totp";
import { actorOf, logOwnEvent, type Origin, requestOf } from "../audit/log-own";
import { NewPassword } from "../members/accept-invite";
import { revokeOtherSessions } from "./sessions";
import { projectsOf, TOTP_PURPOSE } from "./sign-in";

export const ChangePasswordInput = z
  .object({ current_password: z.string().min(1, "enter your current password").max(1000) })
  .and(NewPassword);
export const ConfirmTotpInput = z.object({
  pending: z.string().min(1).max(500),
  code: z.string().trim().min(1, "enter the code from your app").max(20),
});
export const DisableTotpInput = z.object({ current_password: z.string().min(1, "enter your password").max(1000) });

const PENDING_PURPOSE = "totp-enrolment";

type Ctx = { user: User; session: Session; origin: Origin; secretsKey: string };

async function logAccount(db: Db, d1: D1Database, ctx: Ctx, type: string, summary: string) {
  await logOwnEvent(d1, await projectsOf(db, ctx.user.id), {
    category: "auth",
    type,
    status: "success",
    summary,
    actor: actorOf(ctx.user),
    source: "dashboard",
    request: requestOf(ctx.origin),
  });
}

function wrongPassword(): ValidationError {
  return new ValidationError("Your current password is not correct.", [
    { path: "current_password", message: "not correct" },
  ]);
}

/** Changes the password and signs out every other session of the user. */
export async function changePassword(
  db: Db,
  d1: D1Database,
  ctx: Ctx,
  input: z.output<typeof ChangePasswordInput>,
): Promise<void> {
  if (!(await verifyPassword(input.current_password, ctx.user.passwordHash))) throw wrongPassword();
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(input.password), mustChangePassword: false })
    .where(eq(users.id, ctx.user.id));
  await revokeOtherSessions(db, ctx.user.id, ctx.session.id);
  await logAccount(db, d1, ctx, "user.password_changed", `${ctx.user.email} changed their password`);
}

/**
 * The secret being enrolled travels in the form, sealed for this user, until a code proves the app
 * has it; nothing is stored before that.
 */
export async function sealPendingSecret(ctx: Pick<Ctx, "user" | "secretsKey">, secret: string): Promise<string> {
  return seal(ctx.secretsKey, JSON.stringify({ user: ctx.user.id, secret, at: Date.now() }), PENDING_PURPOSE);
}

/** Confirms enrolment with a code; returns the recovery codes, shown once. */
export async function confirmTotp(
  db: Db,
  d1: D1Database,
  ctx: Ctx,
  input: z.output<typeof ConfirmTotpInput>,
): Promise<string[]> {
  let pending: { user: string; secret: string; at: number };
  try {
    pending = JSON.parse(await open(ctx.secretsKey, input.pending, PENDING_PURPOSE)) as typeof pending;
  } catch {
    throw new ValidationError("The enrolment form is not valid any more; start again.", [
      { path: "pending", message: "invalid" },
    ]);
  }
  if (pending.user !== ctx.user.id || Date.now() - pending.at > 30 * 60 * 1000) {
    throw new ValidationError("The enrolment expired; start again.", [{ path: "pending", message: "expired" }]);
  }
  const counter = await verifyTotp(pending.secret, input.code);
  if (counter === null)
    throw new ValidationError("That code is not valid. Check the time on your phone and try the next code.", [
      { path: "code", message: "not valid" },
    ]);
  const codes = generateRecoveryCodes();
  const sealed = await seal(ctx.secretsKey, pending.secret, TOTP_PURPOSE);
  const hashes = await Promise.all(codes.map((code) => sha256Hex(code)));
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, ctx.user.id)),
    db.update(users).set({ totpSecret: sealed, totpLastCounter: counter }).where(eq(users.id, ctx.user.id)),
    db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId: ctx.user.id, codeHash }))),
  ]);
  await logAccount(db, d1, ctx, "user.totp_enabled", `${ctx.user.email} turned on two-step verification`);
  return codes;
}

export async function disableTotp(
  db: Db,
  d1: D1Database,
  ctx: Ctx,
  input: z.output<typeof DisableTotpInput>,
): Promise<void> {
  if (!(await verifyPassword(input.current_password, ctx.user.passwordHash))) throw wrongPassword();
  await db.batch([
    db.update(users).set({ totpSecret: null, totpLastCounter: null }).where(eq(users.id, ctx.user.id)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, ctx.user.id)),
  ]);
  await logAccount(db, d1, ctx, "user.totp_disabled", `${ctx.user.email} turned off two-step verification`);
}
