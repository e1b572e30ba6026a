import type { Digest, Epoch } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { type SignedDigest, type SignedEpoch, signedDigest, signedEpoch } from "../../lib/proofs";
import type { ServiceContext } from "../context";

// Names shared by the integrity verbs: the signing key, digests and epochs as evidence documents
// carry them, and where their trees and public copies are kept in the project's bucket.

/** The deployment's signing key; without one there is nothing to sign with or check against. */
export function signingKeyOf(ctx: ServiceContext): string {
  const key = ctx.config.INTEGRITY_SIGNING_KEY;
  if (!key)
    throw new AppError(
      503,
      "integrity-not-configured",
      "Integrity not configured",
      "This deployment has no INTEGRITY_SIGNING_KEY; see the README.",
    );
  return key;
}

/** A digest row as evidence documents and its public copy carry it. */
export function recordOf(d: Digest): SignedDigest {
  return signedDigest({
    project_id: d.projectId,
    window_start: d.windowStart,
    window_end: d.windowEnd,
    event_count: d.eventCount,
    root: d.root,
    previous_hash: d.previousHash,
    hash: d.hash,
    signature: d.signature,
    key_id: d.keyId,
  });
}

export function epochRecordOf(e: Epoch): SignedEpoch {
  return signedEpoch({
    project_id: e.projectId,
    epoch: e.epoch,
    first_window_start: e.firstWindowStart,
    window_end: e.windowEnd,
    digest_count: e.digestCount,
    root: e.root,
    previous_hash: e.previousHash,
    hash: e.hash,
    signature: e.signature,
    key_id: e.keyId,
  });
}

/** A digest's whole Merkle tree (README "Proofs"), so an audit path is a lookup, not a rehash. */
export function treeKey(projectId: string, windowStart: number): string {
  return `digests/${projectId}/${windowStart}.tree`;
}

export function epochTreeKey(projectId: string, epoch: number): string {
  return `digests/${projectId}/epochs/${epoch}.tree`;
}

/** The public copies (README "Published roots"): written once, never overwritten. */
export const PUBLIC_PREFIX = "public/digests/";

export function publicDigestKey(projectId: string, windowStart: number): string {
  return `${PUBLIC_PREFIX}${projectId}/${windowStart}.json`;
}

export function publicEpochKey(projectId: string, epoch: number): string {
  return `${PUBLIC_PREFIX}${projectId}/epochs/${epoch}.json`;
}
