import { and, desc, eq, gt, isNull, ne, type Placeholder, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Session, sessions, type User, users } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { InvariantError } from "../../lib/errors";
import { newId, randomToken } from "../../lib/ids";
import { type ServiceContext, signedInUser } from "../context";
import { noteSessionSeen } from "../session-cache";

// A signed-in session ends after 8 hours without activity or 7 days after sign-in, whichever is
// first; the step between password and TOTP code lasts 10 minutes.
export const IDLE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
export const TOTP_STEP_TIMEOUT_MS = 10 * 60 * 1000;
export const TOUCH_INTERVAL_MS = 60 * 1000;

export type SessionStage = Session["stage"];

/** A session for a user, from where the request came. */
export async function createSession(
  ctx: ServiceContext,
  input: { userId: string; stage: SessionStage },
  now = Date.now(),
): Promise<{ token: string; session: Session }> {
  const { origin } = ctx;
  const token = randomToken(32);
  const lifetime = input.stage === "active" ? ABSOLUTE_TIMEOUT_MS : TOTP_STEP_TIMEOUT_MS;
  const [session] = await ctx.db
    .insert(sessions)
    .values({
      id: newId("ses", now),
      userId: input.userId,
      tokenHash: await sha256Hex(token),
      stage: input.stage,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + lifetime,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent?.slice(0, 500) ?? null,
    })
    .returning();
  if (!session) throw new InvariantError("insert into sessions returned no row");
  return { token, session };
}

/**
 * The statements finding the live session of a token's hash and its user (see findSession), and
 * the session's user id as SQL, for statements run in the same batch (findSessionMembership). Two
 * statements, not a join: in a batch D1 returns rows keyed by column name, and both tables have an id.
 * The hash and the time may be placeholders, for statements rendered once (src/db/rendered.ts).
 */
export function sessionLookup(
  db: Db,
  tokenHash: string | Placeholder,
  stage: SessionStage,
  now: number | Placeholder = Date.now(),
) {
  const live = and(
    eq(sessions.tokenHash, tokenHash),
    eq(sessions.stage, stage),
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, now),
  );
  const userId = sql`(SELECT ${sessions.userId} FROM ${sessions} WHERE ${live} LIMIT 1)`;
  return {
    statements: [
      db.select().from(sessions).where(live).limit(1),
      db.select().from(users).where(eq(users.id, userId)).limit(1),
    ] as const,
    userId,
  };
}

/** The session and user the lookup found, if the session is live: an active one also ends after IDLE_TIMEOUT_MS unused. */
export function liveSession(
  [[session], [user]]: readonly [Session[], User[]],
  stage: SessionStage,
  now = Date.now(),
): { session: Session; user: User } | undefined {
  if (!session || !user || session.userId !== user.id) return undefined;
  if (stage === "active" && session.lastSeenAt + IDLE_TIMEOUT_MS <= now) return undefined;
  return { session, user };
}

/** Whether a cookie's text can be a session token at all (checked before any hashing or query). */
export const tokenShaped = (token: string) => token.length >= 20 && token.length <= 100;

/** The live session for a cookie token, with its user; undefined when unknown, revoked or expired. */
export async function findSession(
  ctx: ServiceContext,
  token: string,
  stage: SessionStage,
  now = Date.now(),
): Promise<{ session: Session; user: User } | undefined> {
  if (!tokenShaped(token)) return undefined;
  const lookup = sessionLookup(ctx.db, await sha256Hex(token), stage, now);
  return liveSession(await ctx.db.batch(lookup.statements), stage, now);
}

/** Keeps an active session alive; written at most once a minute. */
export async function touchSession(ctx: ServiceContext, session: Session, now = Date.now()): Promise<void> {
  if (now - session.lastSeenAt < TOUCH_INTERVAL_MS) return;
  await ctx.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id));
  noteSessionSeen(session.id, now);
}

/** Ends one of the signed-in user's own sessions; false when it is not theirs or already ended. */
export async function revokeSession(ctx: ServiceContext, sessionId: string, now = Date.now()): Promise<boolean> {
  return endSession(ctx, signedInUser(ctx).id, sessionId, now);
}

/** Ends a session of `userId` (the one signing out, or the signed-in user's own). */
export async function endSession(
  ctx: ServiceContext,
  userId: string,
  sessionId: string,
  now = Date.now(),
): Promise<boolean> {
  const revoked = await ctx.db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length > 0;
}

/** Ends every other session of a user, e.g. after a password change. */
export async function revokeOtherSessions(
  ctx: ServiceContext,
  userId: string,
  keepSessionId: string,
  now = Date.now(),
): Promise<void> {
  await ctx.db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId), isNull(sessions.revokedAt)));
}

/** The signed-in user's sessions that have not expired, newest first. */
export async function listActiveSessions(ctx: ServiceContext, now = Date.now()): Promise<Session[]> {
  const userId = signedInUser(ctx).id;
  const rows = await ctx.db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        eq(sessions.stage, "active"),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt))
    .limit(100);
  return rows.filter((s) => s.lastSeenAt + IDLE_TIMEOUT_MS > now);
}
