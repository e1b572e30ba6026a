import { inArray, sql } from "drizzle-orm";
import { loginThrottle } from "../../db/schema";
import type { ServiceContext } from "../context";

// Sign-in throttling: 5 failures per account or 20 per IP address within 15 minutes lock that
// account or address out until the window ends. Keys name the e-mail whether or not an account
// exists, so a lockout says nothing about which addresses are registered. The code step has its
// own count per user (5 wrong codes in 15 minutes), which the password step never clears.
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
const LIMITS = { email: 5, ip: 20, totp: 5 } as const;

export function throttleKeys(email: string, ip: string | undefined): string[] {
  return [`email:${email.toLowerCase()}`, ...ipKeys(ip)];
}

export function totpKeys(userId: string, ip: string | undefined): string[] {
  return [`totp:${userId}`, ...ipKeys(ip)];
}

function ipKeys(ip: string | undefined): string[] {
  return ip ? [`ip:${ip}`] : [];
}

function limitOf(key: string): number {
  if (key.startsWith("ip:") || key.startsWith("reset-ip:")) return LIMITS.ip;
  if (key.startsWith("totp:")) return LIMITS.totp;
  return LIMITS.email;
}

/**
 * Counts one attempt against every key before anything is checked, and returns the milliseconds
 * until attempts are allowed again (0 when this one may go on). Each key's count is one atomic
 * upsert returning the new value, so parallel attempts each see their own number and only the
 * first ones up to the limit get through; a window that has ended starts again at one. What is
 * not a failure is taken back afterwards (`refusedAttempt`, `forgiveAttempt`), so between
 * attempts the counts are of failures, and while attempts run, of failures and attempts under way.
 */
export async function countAttempt(ctx: ServiceContext, keys: string[], now = Date.now()): Promise<number> {
  const { db } = ctx;
  const expired = now - THROTTLE_WINDOW_MS;
  const [first, ...rest] = keys.map((key) =>
    db
      .insert(loginThrottle)
      .values({ key, failures: 1, windowStart: now })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures: sql`CASE WHEN ${loginThrottle.windowStart} <= ${expired} THEN 1 ELSE ${loginThrottle.failures} + 1 END`,
          windowStart: sql`CASE WHEN ${loginThrottle.windowStart} <= ${expired} THEN ${now} ELSE ${loginThrottle.windowStart} END`,
        },
      })
      .returning(),
  );
  if (!first) return 0;
  const results = await db.batch([first, ...rest]);
  let wait = 0;
  for (const [row] of results) {
    if (row && row.failures > limitOf(row.key)) wait = Math.max(wait, row.windowStart + THROTTLE_WINDOW_MS - now);
  }
  return wait;
}

/**
 * Takes back an attempt refused for being over a limit: it was not checked, so it is no failure,
 * and one locked account must not use up its address's count for everyone behind that address.
 */
export async function refusedAttempt(ctx: ServiceContext, keys: string[]): Promise<void> {
  await ctx.db
    .update(loginThrottle)
    .set({ failures: sql`max(${loginThrottle.failures} - 1, 0)` })
    .where(inArray(loginThrottle.key, keys));
}

/**
 * Takes back a counted attempt that succeeded: the account's or user's own count starts again
 * (as before a lockout, a success proves who it is), an address's count only loses this attempt,
 * since others may share the address.
 */
export async function forgiveAttempt(ctx: ServiceContext, keys: string[]): Promise<void> {
  const { db } = ctx;
  const own = keys.filter((key) => !key.startsWith("ip:"));
  const shared = keys.filter((key) => key.startsWith("ip:"));
  const statements = [
    db.delete(loginThrottle).where(inArray(loginThrottle.key, own)),
    db
      .update(loginThrottle)
      .set({ failures: sql`max(${loginThrottle.failures} - 1, 0)` })
      .where(inArray(loginThrottle.key, shared)),
  ] as const;
  await db.batch(statements);
}
