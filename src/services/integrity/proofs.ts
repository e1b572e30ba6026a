import { and, asc, eq, gt, gte, lte, sql } from "drizzle-orm";
import { type Digest, digests, type Epoch, epochs, prunedWindows } from "../../db/schema";
import { events } from "../../db/shard/schema";
import { AppError, NotFoundError, ValidationError } from "../../lib/errors";
import {
  leafIndexOf,
  type MerkleTree,
  merkleTree,
  rootFromAuditPath,
  sha256Text,
  treeBytes,
  treeFromBytes,
  treeRoot,
} from "../../lib/merkle";
import {
  buildEpochInclusion,
  buildInclusionProof,
  type DigestChain,
  type EpochChain,
  type EpochInclusion,
  type EpochProof,
  FORMATS,
  type InclusionProof,
  verifyEvidence,
  WINDOW_MS,
} from "../../lib/proofs";
import { parseSigningKey } from "../../lib/signing";
import type { ProjectContext } from "../context";
import type { EventQuery } from "../events/filters";
import { whereClause } from "../events/query";
import { computeWindow, GRACE_MS } from "./digests";
import { digestsFrom, listEpochs } from "./epochs";
import { epochRecordOf, epochTreeKey, recordOf, signingKeyOf, treeKey } from "./records";

// Evidence documents (README "Proofs, epochs and published roots"): an event's RFC 6962 audit path
// to its digest's root (and the digest's path to its epoch's root), and chains of digests. The
// trees come from R2, where each digest and epoch keeps its own; a tree that is missing (digests
// made before trees were kept) is rebuilt from the stored rows, checked against the signed root,
// and kept for next time.

/** At most this many digests in one chain: about 14 months of hours (epochs cover longer spans). */
export const MAX_CHAIN = 10_000;

const WHOLE_PROJECT: EventQuery = { conditions: [], text: [] };

/** No proof can be given now, for a reason that is not the caller's: a 409 naming it. */
function unavailable(detail: string): AppError {
  return new AppError(409, "proof-unavailable", "No proof available", detail);
}

/** When the digest of a window will exist: the hourly run at minute 5 after it closes. */
export function digestDueAt(windowStart: number, now = Date.now()): number {
  const closes = windowStart + WINDOW_MS + GRACE_MS;
  if (closes > now) return closes;
  return (Math.floor((now - GRACE_MS) / WINDOW_MS) + 1) * WINDOW_MS + GRACE_MS;
}

/** The event's hour has no digest yet: a 409 saying when it will, with Retry-After. */
export class NotDigestedError extends AppError {
  constructor(
    windowStart: number,
    now: number,
    readonly dueAt = digestDueAt(windowStart, now),
  ) {
    const iso = (ms: number) => new Date(ms).toISOString();
    super(
      409,
      "not-digested",
      "Not digested yet",
      `The digest of this event's hour (${iso(windowStart)} – ${iso(windowStart + WINDOW_MS)}) does not exist yet; it is made at about ${iso(dueAt)}. Ask again then.`,
      [],
      { "Retry-After": String(Math.max(60, Math.ceil((dueAt - now) / 1000))) },
    );
  }
}

async function digestAt(ctx: ProjectContext, windowStart: number): Promise<Digest | undefined> {
  const [digest] = await ctx.db
    .select()
    .from(digests)
    .where(and(eq(digests.projectId, ctx.project.id), eq(digests.windowStart, windowStart)))
    .limit(1);
  return digest;
}

/** A tree kept in R2, if it is there, fits its size and leads to the signed root. */
async function keptTree(ctx: ProjectContext, key: string, size: number, root: string): Promise<MerkleTree | undefined> {
  const object = await ctx.files.get(key);
  if (!object) return undefined;
  const tree = treeFromBytes(new Uint8Array(await object.arrayBuffer()), size);
  return tree && (await treeRoot(tree)) === root ? tree : undefined;
}

/** The digest's tree: kept, or rebuilt from the window's stored events when they all still exist. */
async function windowTree(ctx: ProjectContext, digest: Digest): Promise<MerkleTree> {
  const key = treeKey(ctx.project.id, digest.windowStart);
  const kept = await keptTree(ctx, key, digest.eventCount, digest.root);
  if (kept) return kept;
  const [pruned] = await ctx.db
    .select()
    .from(prunedWindows)
    .where(and(eq(prunedWindows.projectId, ctx.project.id), eq(prunedWindows.windowStart, digest.windowStart)))
    .limit(1);
  if (pruned)
    throw unavailable(
      "Retention deleted some events of this event's hour before its Merkle tree was kept, so no audit path can be made; the digest still covers it.",
    );
  const window = await computeWindow(ctx, digest.windowStart, digest.windowEnd);
  const tree = await merkleTree(window.leaves);
  if ((await treeRoot(tree)) !== digest.root)
    throw unavailable(
      "The events stored for this hour no longer match its signed digest, so no proof can be made; run a verification of this hour.",
    );
  await ctx.files.put(key, treeBytes(tree));
  return tree;
}

async function epochTree(ctx: ProjectContext, epoch: Epoch): Promise<MerkleTree | undefined> {
  const key = epochTreeKey(ctx.project.id, epoch.epoch);
  const kept = await keptTree(ctx, key, epoch.digestCount, epoch.root);
  if (kept) return kept;
  const covered = await digestsFrom(ctx, epoch.firstWindowStart, epoch.digestCount);
  const tree = await merkleTree(covered.map((d) => d.hash));
  if (covered.length !== epoch.digestCount || (await treeRoot(tree)) !== epoch.root) return undefined;
  await ctx.files.put(key, treeBytes(tree));
  return tree;
}

/** The digest's place in its epoch, once the epoch is closed; null before. */
async function epochInclusion(ctx: ProjectContext, digest: Digest): Promise<EpochInclusion | null> {
  const [epoch] = await ctx.db
    .select()
    .from(epochs)
    .where(
      and(
        eq(epochs.projectId, ctx.project.id),
        lte(epochs.firstWindowStart, digest.windowStart),
        gt(epochs.windowEnd, digest.windowStart),
      ),
    )
    .limit(1);
  if (!epoch) return null;
  const tree = await epochTree(ctx, epoch);
  if (!tree)
    throw unavailable(`The digests of epoch ${epoch.epoch} no longer match its signed root; run a verification.`);
  return buildEpochInclusion(epochRecordOf(epoch), tree, digest.windowStart);
}

/**
 * An event's inclusion proof (README "Proofs"): the event as hashed, its audit path to its
 * digest's root, the signed digest, and the digest's path to its epoch when that is closed. An
 * event of an hour not digested yet is a 409 saying when it will be; one not in the project (or
 * outside `scope`, or deleted by retention) a 404.
 */
export async function proveEvent(
  ctx: ProjectContext,
  eventId: string,
  scope: EventQuery = WHOLE_PROJECT,
  now = Date.now(),
): Promise<InclusionProof> {
  signingKeyOf(ctx);
  const { db, pn } = ctx.events;
  const [row] = await db.all<{ id: string; receivedAt: number; hash: string; data: string }>(
    sql`SELECT ${events.id} AS id, ${events.receivedAt} AS receivedAt, lower(hex(${events.hash})) AS hash, ${events.data} AS data
      FROM ${events} WHERE ${and(whereClause(pn, scope), eq(events.id, eventId))} LIMIT 1`,
  );
  if (!row) throw new NotFoundError("No event with this id in this project.");
  const windowStart = Math.floor(row.receivedAt / WINDOW_MS) * WINDOW_MS;
  const digest = await digestAt(ctx, windowStart);
  if (!digest) throw new NotDigestedError(windowStart, now);
  if ((await sha256Text(row.data)) !== row.hash)
    throw unavailable("This event's stored data no longer matches its hash; run a verification of its hour.");
  const tree = await windowTree(ctx, digest);
  const index = await leafIndexOf(tree, row.hash);
  if (index < 0) throw unavailable("This event is not among the events its hour's digest covers; run a verification.");
  const proof = buildInclusionProof(row, tree, index, recordOf(digest), await epochInclusion(ctx, digest));
  // Never hand out a proof that does not check out.
  const { audit_path } = proof.inclusion;
  if ((await rootFromAuditPath(row.hash, index, tree.size, audit_path)) !== digest.root)
    throw unavailable("This event's audit path does not lead to its digest's root; run a verification.");
  return proof;
}

/** A digest's path to its epoch's root; a 409 while its epoch is still open. */
export async function proveDigestInEpoch(ctx: ProjectContext, windowStart: number): Promise<EpochProof> {
  signingKeyOf(ctx);
  const digest = await digestAt(ctx, Math.floor(windowStart / WINDOW_MS) * WINDOW_MS);
  if (!digest) throw new NotFoundError("This project has no digest of that hour.");
  const epoch = await epochInclusion(ctx, digest);
  if (!epoch)
    throw unavailable(
      "The epoch of this digest is not closed yet: an epoch is signed once it holds 8,760 digests (a year of hours). Until then, check the digest with a chain (GET /v1/integrity/consistency).",
    );
  return { format: FORMATS.epochProof, digest: recordOf(digest), epoch };
}

/**
 * The signed digests from the one of `from`'s hour to the one of `to`'s (the latest when omitted),
 * in order: each names the previous one's hash, so a verifier who kept the first can check that
 * the newest still commits to it and to everything before it.
 */
export async function digestChain(ctx: ProjectContext, from: number, to: number | undefined): Promise<DigestChain> {
  const first = Math.floor(from / WINDOW_MS) * WINDOW_MS;
  const last = to === undefined ? undefined : Math.floor(to / WINDOW_MS) * WINDOW_MS;
  if (last !== undefined && last < first)
    throw new ValidationError("to is before from", [{ path: "to", message: "must not be before from" }]);
  const list = await ctx.db
    .select()
    .from(digests)
    .where(
      and(
        eq(digests.projectId, ctx.project.id),
        gte(digests.windowStart, first),
        last === undefined ? undefined : lte(digests.windowStart, last),
      ),
    )
    .orderBy(asc(digests.windowStart))
    .limit(MAX_CHAIN + 1);
  if (list.length === 0) throw new NotFoundError("This project has no digests in that range.");
  if (list.length > MAX_CHAIN)
    throw new ValidationError(
      `More than ${MAX_CHAIN.toLocaleString("en")} digests in that range: ask for a shorter one, or check whole years with the epochs.`,
      [{ path: "to", message: `at most ${MAX_CHAIN} digests in one chain` }],
    );
  return { format: FORMATS.digestChain, project_id: ctx.project.id, digests: list.map(recordOf) };
}

export async function epochChain(ctx: ProjectContext): Promise<EpochChain> {
  return { format: FORMATS.epochChain, project_id: ctx.project.id, epochs: (await listEpochs(ctx)).map(epochRecordOf) };
}

/** What the dashboard says of an event's proof. */
export type ProofStatus =
  | { state: "verified"; windowStart: number; windowEnd: number }
  | { state: "pending"; dueAt: number }
  | { state: "unavailable"; reason: string };

/**
 * Makes the event's proof and checks it as an outside verifier would (the same code as `npm run
 * verify`); undefined when the deployment signs nothing.
 */
export async function proofStatus(
  ctx: ProjectContext,
  eventId: string,
  scope: EventQuery,
): Promise<ProofStatus | undefined> {
  const key = ctx.config.INTEGRITY_SIGNING_KEY;
  if (!key) return undefined;
  try {
    const proof = await proveEvent(ctx, eventId, scope);
    const verdict = await verifyEvidence(proof, parseSigningKey(key).x);
    if (!verdict.ok) return { state: "unavailable", reason: verdict.problems.join("; ") };
    return { state: "verified", windowStart: proof.digest.window_start, windowEnd: proof.digest.window_end };
  } catch (error) {
    if (error instanceof NotDigestedError) return { state: "pending", dueAt: error.dueAt };
    if (!(error instanceof AppError) || error.status !== 409) throw error;
    return { state: "unavailable", reason: error.message };
  }
}
