import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { memberships, type Project, projects, recoveryCodes, sessions, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { hashPassword, verifyPassword } from "../../lib/password";
import { open } from "../../lib/secret-box";
import { verifyTotp } from "../../lib/totp";
import { actorOf, logOwnEvent, type Origin, type OwnEvent, requestOf } from "../audit/log-own";
import { createSession, findSession } from "./sessions";
import { clearFailures, recordFailure, throttledFor, throttleKeys } from "./throttle";

export type SignInResult =
  | { kind: "throttled"; retryAfterMs: number }
  | { kind: "invalid" }
  | { kind: "expired" }
  | { kind: "totp_required"; token: string }
  | { kind: "signed_in"; token: string; user: User };

export const TOTP_PURPOSE = "totp-secret";

// Compared against when the e-mail is unknown, so both paths cost one PBKDF2 run.
let dummyHash: Promise<string> | undefined;

export async function projectsOf(db: Db, userId: string): Promise<Project[]> {
  const rows = await db
    .select({ project: projects })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId));
  return rows.map((r) => r.project);
}

/** Sign-in events go to every project the user belongs to (DESIGN §5). */
async function logAuth(
  db: Db,
  d1: D1Database,
  user: User,
  origin: Origin,
  event: Omit<OwnEvent, "category" | "actor" | "source" | "request">,
) {
  await logOwnEvent(d1, await projectsOf(db, user.id), {
    ...event,
    category: "auth",
    actor: actorOf(user),
    source: "dashboard",
    request: requestOf(origin),
  });
}

export async function signInWithPassword(
  db: Db,
  d1: D1Database,
  input: { email: string; password: string; origin: Origin },
  now = Date.now(),
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, input.origin.ip);
  const wait = await throttledFor(db, keys, now);
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  if (wait > 0) {
    if (user) {
      await logAuth(db, d1, user, input.origin, {
        type: "user.login_failed",
        status: "failure",
        summary: `Sign-in refused for ${user.email}: too many failed attempts`,
        message: "Throttled after repeated failures",
      });
    }
    return { kind: "throttled", retryAfterMs: wait };
  }
  if (!user) {
    dummyHash ??= hashPassword("not a password of anyone");
    await verifyPassword(input.password, await dummyHash);
    await recordFailure(db, keys, now);
    return { kind: "invalid" };
  }
  if (!(await verifyPassword(input.password, user.passwordHash))) {
    await recordFailure(db, keys, now);
    await logAuth(db, d1, user, input.origin, {
      type: "user.login_failed",
      status: "failure",
      summary: `Failed sign-in for ${user.email}`,
      message: "Wrong password",
    });
    return { kind: "invalid" };
  }
  await clearFailures(db, email);
  if (user.totpSecret) {
    const { token } = await createSession(db, { userId: user.id, stage: "pending_totp", origin: input.origin }, now);
    await logAuth(db, d1, user, input.origin, {
      type: "user.otp_requested",
      status: "success",
      summary: `${user.email} asked for the authenticator code`,
    });
    return { kind: "totp_required", token };
  }
  const { token } = await createSession(db, { userId: user.id, stage: "active", origin: input.origin }, now);
  await logAuth(db, d1, user, input.origin, {
    type: "user.login",
    status: "success",
    summary: `${user.email} signed in`,
  });
  return { kind: "signed_in", token, user };
}

const RECOVERY_CODE = /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/;

/** The second step: a TOTP code (each time step once) or an unused recovery code. */
export async function completeTotp(
  db: Db,
  d1: D1Database,
  input: { pendingToken: string; code: string; origin: Origin; secretsKey: string },
  now = Date.now(),
): Promise<SignInResult> {
  const pending = await findSession(db, input.pendingToken, "pending_totp", now);
  if (!pending?.user.totpSecret) return { kind: "expired" };
  const { user, session } = pending;
  const keys = throttleKeys(user.email, input.origin.ip);
  const wait = await throttledFor(db, keys, now);
  if (wait > 0) return { kind: "throttled", retryAfterMs: wait };

  const code = input.code.replace(/\s+/g, "").toLowerCase();
  let accepted = false;
  let usedRecoveryCode = false;
  if (/^\d{6}$/.test(code)) {
    const secret = await open(input.secretsKey, pending.user.totpSecret, TOTP_PURPOSE);
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
    await recordFailure(db, keys, now);
    await logAuth(db, d1, user, input.origin, {
      type: "user.otp_verified",
      status: "failure",
      summary: `Wrong authenticator code for ${user.email}`,
    });
    return { kind: "invalid" };
  }
  await db.update(sessions).set({ revokedAt: now }).where(eq(sessions.id, session.id));
  await clearFailures(db, user.email);
  const { token } = await createSession(db, { userId: user.id, stage: "active", origin: input.origin }, now);
  await logAuth(db, d1, user, input.origin, {
    type: "user.otp_verified",
    status: "success",
    summary: usedRecoveryCode
      ? `${user.email} used a recovery code`
      : `${user.email} entered a valid authenticator code`,
  });
  await logAuth(db, d1, user, input.origin, {
    type: "user.login",
    status: "success",
    summary: `${user.email} signed in`,
  });
  return { kind: "signed_in", token, user };
}

export async function logSignOut(db: Db, d1: D1Database, user: User, origin: Origin): Promise<void> {
  await logAuth(db, d1, user, origin, { type: "user.logout", status: "success", summary: `${user.email} signed out` });
}
