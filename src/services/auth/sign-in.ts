import { and, eq, isNull } from "drizzle-orm";
import { memberships, type Project, projects, recoveryCodes, sessions, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { PASSWORD_ITERATIONS, verifyPassword } from "../../lib/password";
import { open } from "../../lib/secret-box";
import { verifyTotp } from "../../lib/totp";
import type { ServiceContext } from "../context";
import { doneBy, logOwnEvent, type OwnEvent } from "../ingest/own-events";
import { createSession, endSession, findSession } from "./sessions";
import { countAttempt, forgiveAttempt, refusedAttempt, throttleKeys, totpKeys } from "./throttle";

export type SignInResult =
  | { kind: "throttled"; retryAfterMs: number }
  | { kind: "invalid" }
  | { kind: "expired" }
  | { kind: "totp_required"; token: string }
  | { kind: "signed_in"; token: string; user: User };

export const TOTP_PURPOSE = "totp-secret";

// Verified against when there is no account, or when the attempt is throttled, so every answer to
// a password costs exactly one PBKDF2 run of the same length. It matches no password: its hash is
// zeros. A literal rather than a hash made on first use, which would cost a second run once.
const UNUSABLE_HASH = `pbkdf2-sha256$${PASSWORD_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

/**
 * The projects whose auth events a user's own actions go to. A membership exists only once its
 * user accepted it (an invitation, or their own project from `npm run bootstrap`), so no one can
 * make another account's sign-ins show up in their project by adding it.
 */
export async function projectsOf(ctx: ServiceContext, userId: string): Promise<Project[]> {
  const rows = await ctx.db
    .select({ project: projects })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId));
  return rows.map((r) => r.project);
}

/**
 * Sign-in events go to every project the user belongs to (README "The dashboard", Trailbook logs
 * itself), as done by that user: until the sign-in completes nobody is signed in, so the context's
 * own actor is nobody.
 */
export async function logAuth(
  ctx: ServiceContext,
  user: User,
  event: Omit<OwnEvent, "category" | "actor" | "source" | "request">,
) {
  await logOwnEvent(ctx, await projectsOf(ctx, user.id), {
    ...event,
    category: "auth",
    ...doneBy(ctx, { kind: "user", user }),
  });
}

/**
 * A failure of a known account is recorded after the answer: writing it into the user's projects
 * takes tens of milliseconds an unknown address would not spend, and would tell them apart.
 */
function logLater(ctx: ServiceContext, work: Promise<void>) {
  ctx.waitUntil(
    work.catch((error: unknown) => {
      console.error("recording a failed sign-in failed", error);
    }),
  );
}

/**
 * The password step. The attempt is counted first (atomically), then the limit is checked, then
 * the password is verified: parallel guesses cannot all pass one check, and every path (unknown
 * address, wrong password, throttled) runs the same single PBKDF2 verification.
 */
export async function signInWithPassword(
  ctx: ServiceContext,
  input: { email: string; password: string },
  now = Date.now(),
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, ctx.origin.ip);
  const wait = await countAttempt(ctx, keys, now);
  const [user] = await ctx.db.select().from(users).where(eq(users.email, email)).limit(1);
  if (wait > 0) {
    await verifyPassword(input.password, UNUSABLE_HASH);
    await refusedAttempt(ctx, keys);
    if (user) {
      logLater(
        ctx,
        logAuth(ctx, user, {
          type: "user.login_failed",
          status: "failure",
          summary: `Sign-in refused for ${user.email}: too many failed attempts`,
          message: "Throttled after repeated failures",
        }),
      );
    }
    return { kind: "throttled", retryAfterMs: wait };
  }
  const correct = await verifyPassword(input.password, user?.passwordHash ?? UNUSABLE_HASH);
  if (!user || !correct) {
    if (user) {
      logLater(
        ctx,
        logAuth(ctx, user, {
          type: "user.login_failed",
          status: "failure",
          summary: `Failed sign-in for ${user.email}`,
          message: "Wrong password",
        }),
      );
    }
    return { kind: "invalid" };
  }
  await forgiveAttempt(ctx, keys);
  if (user.totpSecret) {
    const { token } = await createSession(ctx, { userId: user.id, stage: "pending_totp" }, now);
    await logAuth(ctx, user, {
      type: "user.otp_requested",
      status: "success",
      summary: `${user.email} asked for the authenticator code`,
    });
    return { kind: "totp_required", token };
  }
  const { token } = await createSession(ctx, { userId: user.id, stage: "active" }, now);
  await logAuth(ctx, user, {
    type: "user.login",
    status: "success",
    summary: `${user.email} signed in`,
  });
  return { kind: "signed_in", token, user };
}

const RECOVERY_CODE = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/;

/** The second step: a TOTP code (each time step once) or an unused recovery code. */
export async function completeTotp(
  ctx: ServiceContext,
  input: { pendingToken: string; code: string },
  now = Date.now(),
): Promise<SignInResult> {
  const { db } = ctx;
  const pending = await findSession(ctx, input.pendingToken, "pending_totp", now);
  if (!pending?.user.totpSecret) return { kind: "expired" };
  const { user, session } = pending;
  // Counted per user, not per pending session, and cleared only by a correct code: signing in
  // with the password again gives no new guesses.
  const keys = totpKeys(user.id, ctx.origin.ip);
  const wait = await countAttempt(ctx, keys, now);
  if (wait > 0) {
    await refusedAttempt(ctx, keys);
    await logAuth(ctx, user, {
      type: "user.otp_verified",
      status: "failure",
      summary: `Code refused for ${user.email}: too many wrong codes`,
      message: "Throttled after repeated wrong codes",
    });
    return { kind: "throttled", retryAfterMs: wait };
  }

  const code = input.code.replace(/\s+/g, "").toLowerCase();
  let accepted = false;
  let usedRecoveryCode = false;
  if (/^\d{6}$/.test(code)) {
    const secret = await open(ctx.config.SECRETS_KEY, pending.user.totpSecret, TOTP_PURPOSE);
    const counter = await verifyTotp(secret, code, now);
    if (counter !== null && counter > (user.totpLastCounter ?? -1)) {
      // The WHERE makes a concurrent second use of the same code lose.
      const updated = await db
        .update(users)
        .set({ totpLastCounter: counter })
        .where(
          and(
            eq(users.id, user.id),
            user.totpLastCounter === null
              ? isNull(users.totpLastCounter)
              : eq(users.totpLastCounter, user.totpLastCounter),
          ),
        )
        .returning({ id: users.id });
      accepted = updated.length === 1;
    }
  } else if (RECOVERY_CODE.test(code)) {
    const used = await db
      .update(recoveryCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(recoveryCodes.userId, user.id),
          eq(recoveryCodes.codeHash, await sha256Hex(code)),
          isNull(recoveryCodes.usedAt),
        ),
      )
      .returning({ userId: recoveryCodes.userId });
    accepted = used.length === 1;
    usedRecoveryCode = accepted;
  }

  if (!accepted) {
    await logAuth(ctx, user, {
      type: "user.otp_verified",
      status: "failure",
      summary: `Wrong authenticator code for ${user.email}`,
    });
    return { kind: "invalid" };
  }
  await db.update(sessions).set({ revokedAt: now }).where(eq(sessions.id, session.id));
  await forgiveAttempt(ctx, keys);
  const { token } = await createSession(ctx, { userId: user.id, stage: "active" }, now);
  await logAuth(ctx, user, {
    type: "user.otp_verified",
    status: "success",
    summary: usedRecoveryCode
      ? `${user.email} used a recovery code`
      : `${user.email} entered a valid authenticator code`,
  });
  await logAuth(ctx, user, {
    type: "user.login",
    status: "success",
    summary: `${user.email} signed in`,
  });
  return { kind: "signed_in", token, user };
}

/** Ends the session of a cookie's token, if it is live, and records the sign-out. */
export async function signOut(ctx: ServiceContext, token: string | undefined): Promise<void> {
  const found = token ? await findSession(ctx, token, "active") : undefined;
  if (!found) return;
  await endSession(ctx, found.user.id, found.session.id);
  await logAuth(ctx, found.user, { type: "user.logout", status: "success", summary: `${found.user.email} signed out` });
}
