import { and, asc, desc, eq, gte, lt } from "drizzle-orm";
import { digests, type Epoch, epochs } from "../../db/schema";
import { merkleTree, treeBytes, treeRoot } from "../../lib/merkle";
import { GENESIS, signEpoch, WINDOW_MS } from "../../lib/proofs";
import { parseSigningKey } from "../../lib/signing";
import type { ProjectContext } from "../context";
import { publishEpoch } from "./publish";
import { epochTreeKey, signingKeyOf } from "./records";

// Epochs (README "Proofs, epochs and published roots"): once a project has 8,760 more digests
// (a year of hours), a Merkle tree over their hashes, in window order, is signed as one epoch and
// chained to the previous epoch. A verifier then needs one root a year, and a digest's path to it.

export const EPOCH_DIGESTS = 8760;
/** Epochs made per run at most: a year of digests is read and hashed for each. */
const EPOCHS_PER_RUN = 2;

export async function lastEpoch(ctx: ProjectContext): Promise<Epoch | undefined> {
  const [last] = await ctx.db
    .select()
    .from(epochs)
    .where(eq(epochs.projectId, ctx.project.id))
    .orderBy(desc(epochs.epoch))
    .limit(1);
  return last;
}

/** The hashes of the digests an epoch starting at `start` would cover, in window order. */
export async function digestsFrom(ctx: ProjectContext, start: number, size: number) {
  return ctx.db
    .select({ windowStart: digests.windowStart, windowEnd: digests.windowEnd, hash: digests.hash })
    .from(digests)
    .where(
      and(
        eq(digests.projectId, ctx.project.id),
        gte(digests.windowStart, start),
        lt(digests.windowStart, start + size * WINDOW_MS),
      ),
    )
    .orderBy(asc(digests.windowStart));
}

/**
 * Closes every epoch whose digests all exist (up to two a run). `size` is the number of digests
 * an epoch covers: EPOCH_DIGESTS, smaller only in tests; each epoch records its own.
 */
export async function createEpochs(
  ctx: ProjectContext,
  options: { size?: number; now?: number } = {},
): Promise<number> {
  const size = options.size ?? EPOCH_DIGESTS;
  const now = options.now ?? Date.now();
  const { db, project, files } = ctx;
  const jwk = parseSigningKey(signingKeyOf(ctx));
  let made = 0;
  while (made < EPOCHS_PER_RUN) {
    const last = await lastEpoch(ctx);
    let start = last?.windowEnd;
    if (start === undefined) {
      const [first] = await db
        .select({ windowStart: digests.windowStart })
        .from(digests)
        .where(eq(digests.projectId, project.id))
        .orderBy(asc(digests.windowStart))
        .limit(1);
      if (!first) break;
      start = first.windowStart;
    }
    // Digests are made for every hour in turn: until the epoch's last hour has one, it stays open.
    // One lookup by key, so the hourly run reads a year of digests only when an epoch closes.
    const [lastOfEpoch] = await db
      .select({ windowStart: digests.windowStart })
      .from(digests)
      .where(and(eq(digests.projectId, project.id), eq(digests.windowStart, start + (size - 1) * WINDOW_MS)))
      .limit(1);
    if (!lastOfEpoch) break;
    const covered = await digestsFrom(ctx, start, size);
    if (covered.length < size) {
      console.error(
        `integrity: ${project.id} lacks digests between ${new Date(start).toISOString()} and the next epoch`,
      );
      break;
    }
    const tree = await merkleTree(covered.map((d) => d.hash));
    const signed = await signEpoch(jwk, {
      project_id: project.id,
      epoch: last ? last.epoch + 1 : 0,
      first_window_start: start,
      window_end: start + size * WINDOW_MS,
      digest_count: size,
      root: await treeRoot(tree),
      previous_hash: last?.hash ?? GENESIS,
    });
    const epoch: Epoch = {
      projectId: project.id,
      epoch: signed.epoch,
      firstWindowStart: signed.first_window_start,
      windowEnd: signed.window_end,
      digestCount: signed.digest_count,
      root: signed.root,
      previousHash: signed.previous_hash,
      hash: signed.hash,
      signature: signed.signature,
      keyId: signed.key_id,
      createdAt: now,
      publishedAt: null,
    };
    const inserted = await db.insert(epochs).values(epoch).onConflictDoNothing().returning({ hash: epochs.hash });
    if (inserted.length === 0) break; // another run closed it first
    await files.put(epochTreeKey(project.id, epoch.epoch), treeBytes(tree));
    await publishEpoch(ctx, epoch, now);
    made++;
  }
  return made;
}

export async function listEpochs(ctx: ProjectContext): Promise<Epoch[]> {
  return ctx.db
    .select()
    .from(epochs)
    .where(eq(epochs.projectId, ctx.project.id))
    .orderBy(asc(epochs.epoch))
    .limit(1000);
}
