import type { Session, User } from "../db/schema";
import { IsolateCache } from "../lib/isolate-cache";
import { KEY_CACHE_MS } from "./key-cache";
import type { Membership, MyProject } from "./members/types";

// What a project page's first round trip read — a live session, its user and their membership of
// the project (the project, its placement, the member's access, unread count and projects) — kept
// per isolate for SESSION_CACHE_MS (README "Security: what is enforced"), so a member clicking
// through the explorer, and the fragments each page loads, cost no control-database read. Entries
// are found by the session token's SHA-256 and the project, so only that very session is served
// from one. Any request that could change access (every one but reading and event ingest) forgets
// them all in its isolate once it has answered, as do a new notification (the unread count) and a
// move's switch; other isolates see a change when their entry expires. Sessions are checked for
// expiry and idleness on every request; unknown, revoked and non-member lookups are never kept.

/** How long an isolate trusts a session's membership: as long as a key's check, so a move's clean-up waits for both. */
export const SESSION_CACHE_MS = KEY_CACHE_MS;
/** Entries kept at most; the oldest goes first. */
const SESSION_CACHE_ENTRIES = 1_000;

export type SessionMembership = { session: Session; user: User; membership: Membership & { mine: MyProject[] } };

const kept = new IsolateCache<SessionMembership>(SESSION_CACHE_MS, SESSION_CACHE_ENTRIES);

/**
 * Counts the times everything was forgotten: a lookup that started before the latest is not kept,
 * since it may have read what a change then replaced.
 */
let generation = 0;

const keyOf = (tokenHash: string, projectId: string) => `${tokenHash}\n${projectId}`;

export function cachedSessionMembership(
  tokenHash: string,
  projectId: string,
  now = Date.now(),
): SessionMembership | undefined {
  return kept.get(keyOf(tokenHash, projectId), now);
}

/** Where a lookup starts: remember what it found only with this. */
export function sessionCacheGeneration(): number {
  return generation;
}

/** Keeps a lookup's result, unless something was forgotten since it started (`since`). */
export function rememberSessionMembership(
  tokenHash: string,
  projectId: string,
  found: SessionMembership,
  since: number,
  now = Date.now(),
): void {
  if (since === generation) kept.set(keyOf(tokenHash, projectId), found, now);
}

export function forgetSessionMembership(tokenHash: string, projectId: string): void {
  kept.delete(keyOf(tokenHash, projectId));
}

/** After anything that may change a session, user, membership, role, project or placement. */
export function forgetSessions(): void {
  generation++;
  kept.deleteWhere(() => true);
}

/** A session's "last seen" as just recorded, so its kept copies do not record it again. */
export function noteSessionSeen(sessionId: string, at: number): void {
  for (const entry of kept.values()) {
    if (entry.session.id === sessionId) entry.session = { ...entry.session, lastSeenAt: at };
  }
}
