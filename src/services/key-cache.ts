import type { ApiKey, Project } from "../db/schema";
import { IsolateCache } from "../lib/isolate-cache";
import type { EndpointRef, PlacementRef } from "./context";

// What an API key's check read — the key, its project, where the project's events live and its
// enabled webhook endpoints — kept per isolate for KEY_CACHE_MS (README "Security: what is
// enforced"), so a client sending event after event costs no control-database read per event.
// Entries are found by the key's SHA-256, so only the very key that was checked is ever served
// from here. A change made in this isolate (a revocation, a webhook endpoint, the project's
// settings, a move) forgets the project's entries at once; other isolates see it when their entry
// expires, at most KEY_CACHE_MS later. Unknown and revoked keys are never kept.

/** How long an isolate trusts what a key's check read. */
export const KEY_CACHE_MS = 5_000;
/** Entries kept at most; the oldest goes first. */
const KEY_CACHE_ENTRIES = 1_000;

export type KeyGrant = {
  key: ApiKey;
  project: Project;
  placement: PlacementRef;
  /** The project's enabled webhook endpoints, read with the key. */
  endpoints: readonly EndpointRef[];
};

const grants = new IsolateCache<KeyGrant>(KEY_CACHE_MS, KEY_CACHE_ENTRIES);

/** The grant checked for this key hash less than KEY_CACHE_MS ago, if any. */
export function cachedGrant(keyHash: string, now = Date.now()): KeyGrant | undefined {
  return grants.get(keyHash, now);
}

export function rememberGrant(keyHash: string, grant: KeyGrant, now = Date.now()): void {
  grants.set(keyHash, { ...grant }, now);
}

/** After a change to a project's keys, settings, webhook endpoints or placement in this isolate. */
export function forgetProject(projectId: string): void {
  grants.deleteWhere((grant) => grant.project.id === projectId);
}

/** A key's "last used" as just recorded, so its cached copy does not record it again. */
export function noteKeyUsed(keyId: string, at: number): void {
  for (const grant of grants.values()) if (grant.key.id === keyId) grant.key = { ...grant.key, lastUsedAt: at };
}
