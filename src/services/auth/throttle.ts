import { inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { loginThrottle } from "../../db/schema";

// Sign-in throttling: 5 failures per account or 20 per IP address within 15 minutes lock that
// account or address out until the window ends. Keys name the e-mail whether or not an account
// exists, so a lockout says nothing about which addresses are registered.
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
const LIMITS = { email: 5, ip: 20 } as const;

export function throttleKeys(email: string, ip: string | undefined): string[] {
  return [`email:${email.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];
}

function limitOf(key: string): number {
  return key.startsWith("ip:") ? LIMITS.ip : LIMITS.email;
}

/** Milliseconds until sign-in is allowed again for these keys, or 0 when it is allowed now. */
export async function throttledFor(db: Db, keys: string[], now = Date.now()): Promise<number> {
  const rows = await db.select().from(loginThrottle).where(inArray(loginThrottle.key, keys));
  let wait = 0;
  for (const row of rows) {
    const end = row.windowStart + THROTTLE_WINDOW_MS;
    if (end > now && row.failures >= limitOf(row.key)) wait = Math.max(wait, end - now);
  }
  return wait;
}

/** Counts a failure for each key; a window that has ended starts again at one. */
export async function recordFailure(db: Db, keys: string[], now = Date.now()): Promise<void> {
  const expired = now - THROTTLE_WINDOW_MS;
  for (const key of keys) {
    await db
      .insert(loginThrottle)
      .values({ key, failures: 1, windowStart: now })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures: sql`CASE WHEN ${loginThrottle.windowStart} <= ${expired} THEN 1 ELSE ${loginThrottle.failures} + 1 END`,
          windowStart: sql`CASE WHEN ${loginThrottle.windowStart} <= ${expired} THEN ${now} ELSE ${loginThrottle.windowStart} END`,
        },
      });
  }
}

/** A successful sign-in clears the account's count (not the address's: others may share it). */
export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.delete(loginThrottle).where(inArray(loginThrottle.key, [`email:${email.toLowerCase()}`]));
}
