import { and, asc, count, desc, eq, gt, gte, lt, lte, sql } from "drizzle-orm";
import { type Digest, digests, placements, projects, prunedWindows } from "../../db/schema";
import { events } from "../../db/shard/schema";
import { merkleRoot, merkleTree, sha256Text, treeBytes, treeRoot } from "../../lib/merkle";
import { GENESIS as CHAIN_GENESIS, WINDOW_MS as HOUR, signDigest } from "../../lib/proofs";
import { keyId, parseSigningKey, verifyText } from "../../lib/signing";
import { digestBody as offlineDigestBody } from "../../lib/verify-offline";
import { inProject, type ProjectContext, type ServiceContext } from "../context";
import { LIST_COLUMNS, type ListRow } from "../events/query";
import { notify } from "../notifications/notify";
import { createEpochs } from "./epochs";
import { publishDigest, publishPending } from "./publish";
import { signingKeyOf, treeKey } from "./records";

export { signingKeyOf } from "./records";

// Integrity (README "Retention, archives and integrity"): every hour, per project, a digest of the
// events received in the closed window — the Merkle root of their hashes in (received_at, id)
// order, chained to the previous digest's hash and signed with the deployment's Ed25519 key.
// Verification recomputes windows from the stored events (hashing each event's data again, so an
// edited row shows) and reports the windows retention has pruned as pruned, not broken.

export const WINDOW_MS = HOUR;
/** A window is closed this long after its end, so late writes of that hour are in. */
export const GRACE_MS = 5 * 60_000;
const MAX_WINDOWS_PER_RUN = 48;
const PAGE = 1000;
export const GENESIS = CHAIN_GENESIS;

/** The window's leaves: each event's hash, recomputed from its data, in (received_at, id) order. */
type Window = { count: number; leaves: string[]; altered: string[] };

/** The digest's own hash covers every field a verifier checks (the same text the offline verifier builds). */
export function digestBody(
  d: Pick<Digest, "projectId" | "windowStart" | "windowEnd" | "eventCount" | "root" | "previousHash">,
): string {
  return offlineDigestBody({
    project_id: d.projectId,
    window_start: d.windowStart,
    window_end: d.windowEnd,
    event_count: d.eventCount,
    root: d.root,
    previous_hash: d.previousHash,
  });
}

export function digestView(d: Digest) {
  return {
    project_id: d.projectId,
    window_start: d.windowStart,
    window_end: d.windowEnd,
    window_start_iso: new Date(d.windowStart).toISOString(),
    window_end_iso: new Date(d.windowEnd).toISOString(),
    event_count: d.eventCount,
    root: d.root,
    previous_hash: d.previousHash,
    hash: d.hash,
    signature: d.signature,
    key_id: d.keyId,
  };
}

/** Reads a window's events in (received_at, id) order, hashing each one's data again. */
export async function computeWindow(ctx: ProjectContext, start: number, end: number): Promise<Window> {
  const { db, pn } = ctx.events;
  const leaves: string[] = [];
  const altered: string[] = [];
  let after: [number, string] = [start - 1, ""];
  for (;;) {
    const results = await db.all<ListRow>(
      sql`SELECT ${LIST_COLUMNS} FROM ${events}
        WHERE ${events.pn} = ${pn} AND ${events.receivedAt} >= ${start} AND ${events.receivedAt} < ${end}
          AND (${events.receivedAt}, ${events.id}) > (${after[0]}, ${after[1]})
        ORDER BY ${events.receivedAt}, ${events.id} LIMIT ${PAGE}`,
    );
    for (const row of results) {
      const actual = await sha256Text(row.data);
      if (actual !== row.hash) altered.push(row.id);
      leaves.push(actual);
    }
    const last = results.at(-1);
    if (!last || results.length < PAGE) break;
    after = [last.receivedAt, last.id];
  }
  return { count: leaves.length, leaves, altered };
}

export async function publicKeyOf(
  signingKey: string | undefined,
): Promise<{ public_key: string; key_id: string; algorithm: "Ed25519" } | undefined> {
  if (!signingKey) return undefined;
  const jwk = parseSigningKey(signingKey);
  return { algorithm: "Ed25519", public_key: jwk.x, key_id: await keyId(jwk.x) };
}

/**
 * Writes the digests of every closed window since the project's last one (up to 48 a run), each
 * with its Merkle tree and its public copy in R2.
 */
export async function createDigests(ctx: ProjectContext, now = Date.now()): Promise<number> {
  const { files, db, project } = ctx;
  const jwk = parseSigningKey(signingKeyOf(ctx));
  const [last] = await db
    .select()
    .from(digests)
    .where(eq(digests.projectId, project.id))
    .orderBy(desc(digests.windowStart))
    .limit(1);
  let start = last ? last.windowEnd : Math.floor(project.createdAt / WINDOW_MS) * WINDOW_MS;
  let previous = last ? last.hash : GENESIS;
  let made = 0;
  while (start + WINDOW_MS + GRACE_MS <= now && made < MAX_WINDOWS_PER_RUN) {
    const end = start + WINDOW_MS;
    const window = await computeWindow(ctx, start, end);
    const tree = await merkleTree(window.leaves);
    const signed = await signDigest(jwk, {
      project_id: project.id,
      window_start: start,
      window_end: end,
      event_count: window.count,
      root: await treeRoot(tree),
      previous_hash: previous,
    });
    const digest: Digest = {
      projectId: project.id,
      windowStart: start,
      windowEnd: end,
      eventCount: signed.event_count,
      root: signed.root,
      previousHash: previous,
      hash: signed.hash,
      signature: signed.signature,
      keyId: signed.key_id,
      createdAt: now,
      publishedAt: null,
    };
    const inserted = await db.insert(digests).values(digest).onConflictDoNothing().returning({ hash: digests.hash });
    if (inserted.length === 0) break; // another run wrote this window first
    await files.put(`digests/${project.id}/${start}.json`, JSON.stringify(digestView(digest)), {
      httpMetadata: { contentType: "application/json" },
    });
    if (tree.size > 0) await files.put(treeKey(project.id, start), treeBytes(tree));
    await publishDigest(ctx, digest, now);
    previous = signed.hash;
    start = end;
    made++;
  }
  return made;
}

/** The hourly cron: digests for every project. */
export async function createAllDigests(ctx: ServiceContext, now = Date.now()): Promise<number> {
  if (!ctx.config.INTEGRITY_SIGNING_KEY) {
    console.error("INTEGRITY_SIGNING_KEY is not set: no integrity digests are written");
    return 0;
  }
  let made = 0;
  const placed = await ctx.db
    .select({ project: projects, placement: { shard: placements.shard, pn: placements.pn } })
    .from(projects)
    .innerJoin(placements, eq(placements.projectId, projects.id));
  for (const { project, placement } of placed) {
    const projectCtx = inProject(ctx, project, placement);
    made += await createDigests(projectCtx, now);
    await createEpochs(projectCtx, { now });
    // Public copies a failed write left behind (and digests from before they were published).
    await publishPending(projectCtx, now);
  }
  return made;
}

export async function listDigests(
  ctx: ProjectContext,
  from: number | undefined,
  to: number | undefined,
  limit = 1000,
): Promise<Digest[]> {
  return ctx.db
    .select()
    .from(digests)
    .where(
      and(
        eq(digests.projectId, ctx.project.id),
        from !== undefined ? gt(digests.windowEnd, from) : undefined,
        to !== undefined ? lt(digests.windowStart, to) : undefined,
      ),
    )
    .orderBy(asc(digests.windowStart))
    .limit(limit);
}

/** The project's newest digests and how many it has. */
export async function digestSummary(ctx: ProjectContext, newest = 24): Promise<{ latest: Digest[]; total: number }> {
  const { db, project } = ctx;
  const [latest, [total]] = await db.batch([
    db.select().from(digests).where(eq(digests.projectId, project.id)).orderBy(desc(digests.windowStart)).limit(newest),
    db.select({ n: count() }).from(digests).where(eq(digests.projectId, project.id)),
  ]);
  return { latest, total: total?.n ?? 0 };
}

export type WindowReport = { window_start: string; window_end: string; reason: string };
export type Verification = {
  ok: boolean;
  checked: number;
  verified: number;
  pruned: { window_start: string; window_end: string }[];
  broken: WindowReport[];
  first_broken: WindowReport | null;
};

/** Recomputes every digested window in [from, to) and checks hashes, signatures and the chain. */
export async function verifyRange(ctx: ProjectContext, from: number, to: number): Promise<Verification> {
  const { db, project } = ctx;
  const publicKey = parseSigningKey(signingKeyOf(ctx)).x;
  const list = await listDigests(ctx, from, to);
  const pruned = new Set(
    (
      await db
        .select({ start: prunedWindows.windowStart })
        .from(prunedWindows)
        .where(
          and(
            eq(prunedWindows.projectId, project.id),
            gte(prunedWindows.windowStart, from - WINDOW_MS),
            lte(prunedWindows.windowStart, to),
          ),
        )
    ).map((p) => p.start),
  );
  const report: Verification = {
    ok: true,
    checked: list.length,
    verified: 0,
    pruned: [],
    broken: [],
    first_broken: null,
  };
  let previous: Digest | undefined;
  if (list[0]) {
    const [before] = await db
      .select()
      .from(digests)
      .where(and(eq(digests.projectId, project.id), eq(digests.windowEnd, list[0].windowStart)))
      .limit(1);
    previous = before;
  }
  for (const d of list) {
    const where = {
      window_start: new Date(d.windowStart).toISOString(),
      window_end: new Date(d.windowEnd).toISOString(),
    };
    const problems: string[] = [];
    const expectedHash = await sha256Text(digestBody(d));
    if (expectedHash !== d.hash) problems.push("the digest record was altered");
    if (!(await verifyText(publicKey, d.hash, d.signature)))
      problems.push("the signature does not match the deployment's key");
    const expectedPrevious = previous
      ? previous.hash
      : d.windowStart === list[0]?.windowStart && !previous
        ? d.previousHash
        : GENESIS;
    if (d.previousHash !== expectedPrevious) problems.push("the chain to the previous digest is broken");
    if (pruned.has(d.windowStart)) {
      report.pruned.push(where);
    } else {
      const window = await computeWindow(ctx, d.windowStart, d.windowEnd);
      if (window.altered.length)
        problems.push(`events changed since they were stored: ${window.altered.slice(0, 5).join(", ")}`);
      else if (window.count !== d.eventCount)
        problems.push(`${d.eventCount} events were digested, ${window.count} are stored`);
      else if ((await merkleRoot(window.leaves)) !== d.root) problems.push("the events differ from the digested ones");
      if (!problems.length) report.verified++;
    }
    if (problems.length) {
      const broken = { ...where, reason: problems.join("; ") };
      report.broken.push(broken);
      report.first_broken ??= broken;
    }
    previous = d;
  }
  report.ok = report.broken.length === 0;
  if (report.first_broken) {
    const first = report.first_broken;
    await notify(
      ctx,
      {
        projectId: project.id,
        type: "integrity.failed",
        title: `Integrity check failed for ${first.window_start}`,
        body: first.reason,
        link: `/p/${project.id}/integrity`,
      },
      `integrity_${project.id.slice(4)}_${Date.parse(first.window_start)}`,
    );
  }
  return report;
}
