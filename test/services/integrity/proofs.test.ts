import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { placements, projects } from "../../../src/db/schema";
import {
  FORMATS,
  type InclusionProof,
  type SignedDigest,
  type SignedEpoch,
  signedDigest,
  verifyEvidence,
  WINDOW_MS,
} from "../../../src/lib/proofs";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { inProject } from "../../../src/services/context";
import { createAllDigests, createDigests } from "../../../src/services/integrity/digests";
import { createEpochs } from "../../../src/services/integrity/epochs";
import { publishPending, writeOnce } from "../../../src/services/integrity/publish";
import { KEY_CACHE_MS } from "../../../src/services/key-cache";
import { startRetention } from "../../../src/services/retention/run";
import { startMove } from "../../../src/services/shards/move";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  api,
  createTenant,
  expectAuthorisation,
  expectJson,
  expectProblem,
  projectContext,
  shardOf,
  systemContext,
  type Tenant,
} from "../../fixtures";

// A move's clean-up starts KEY_CACHE_MS after its switch (src/services/shards/move.ts).
const MOVE_TEST_MS = KEY_CACHE_MS + 10_000;

// Evidence an auditor checks without trusting us (README "Proofs, epochs and published roots").

const HOUR = WINDOW_MS;
const LATER = Date.now() + 2 * HOUR;
const PUBLIC_KEY = JSON.parse(env.INTEGRITY_SIGNING_KEY as string).x as string;

type Chain = { format: string; project_id: string; digests: SignedDigest[] };
type Epochs = { format: string; project_id: string; epochs: SignedEpoch[] };

const ids = (n: number, prefix = "e") => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);

/** A tenant whose events `ids` were received together (one hour), then digested. */
async function digested(eventIds: string[]): Promise<Tenant> {
  const tenant = await createTenant();
  const events = eventIds.map((id, i) => ({ id, type: "commission.updated", summary: `Zoë approved ${i} ✓` }));
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
  expect(await createDigests(projectContext(tenant.project), LATER)).toBeGreaterThan(0);
  return tenant;
}

async function proof(tenant: Tenant, id: string): Promise<InclusionProof> {
  return expectJson<InclusionProof>(
    await api("GET", `/v1/events/${encodeURIComponent(id)}/proof`, { key: tenant.keys.read }),
    200,
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("inclusion proofs", () => {
  it("prove the first, middle and last events of windows of 1, 2, 3 and 1,000 events", async () => {
    for (const n of [1, 2, 3, 1000]) {
      const eventIds = ids(n);
      const tenant = await digested(eventIds);
      for (const index of new Set([0, Math.floor((n - 1) / 2), n - 1])) {
        const p = await proof(tenant, eventIds[index] as string);
        expect(p).toMatchObject({
          format: FORMATS.inclusion,
          event: { id: eventIds[index] },
          inclusion: { leaf_index: index, tree_size: n },
          digest: { project_id: tenant.project.id, event_count: n },
          epoch: null,
        });
        // The event's hash is the one ingest answered and GET /v1/events/{id} shows.
        const stored = await expectJson<{ hash: string }>(
          await api("GET", `/v1/events/${eventIds[index]}`, { key: tenant.keys.read }),
          200,
        );
        expect(p.event.hash).toBe(stored.hash);
        const verdict = await verifyEvidence(p, PUBLIC_KEY);
        expect(verdict.problems).toEqual([]);
        expect(verdict.ok).toBe(true);
      }
    }
  });

  it("is refused by the verifier when any part is changed", async () => {
    const tenant = await digested(ids(5));
    const good = await proof(tenant, "e0002");
    const changes: [string, (p: InclusionProof) => void][] = [
      ["event data", (p) => (p.event.data = p.event.data.replace("approved 2", "approved 3"))],
      ["event hash", (p) => (p.event.hash = `${p.event.hash.slice(0, 63)}${p.event.hash.endsWith("0") ? 1 : 0}`)],
      ["leaf index", (p) => (p.inclusion.leaf_index = 3)],
      ["a sibling", (p) => p.inclusion.audit_path.reverse()],
      ["the tree size", (p) => (p.inclusion.tree_size = 6)],
      ["the digest's count", (p) => (p.digest.event_count = 6)],
      ["the digest's root", (p) => (p.digest.root = p.digest.previous_hash)],
      // Another first character (a signature starting with A would stay the same with A).
      [
        "the signature",
        (p) => (p.digest.signature = `${p.digest.signature.startsWith("A") ? "B" : "A"}${p.digest.signature.slice(1)}`),
      ],
    ];
    for (const [what, change] of changes) {
      const copy = structuredClone(good);
      change(copy);
      expect((await verifyEvidence(copy, PUBLIC_KEY)).ok, what).toBe(false);
    }
  });

  it("answers 409 with Retry-After before the hour is digested, 404 for unknown, other projects' and pruned events", async () => {
    const tenant = await createTenant();
    const old = new Date(Date.now() - 500 * 24 * HOUR).toISOString();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "now_1", type: "x.y" },
            { id: "old_1", type: "x.y", occurred_at: old },
          ],
        },
      }),
      201,
    );
    const early = await api("GET", "/v1/events/now_1/proof", { key: tenant.keys.read });
    const problem = await expectProblem(early, 409);
    expect(problem.type).toBe("/problems/not-digested");
    const due = Math.floor(Date.now() / HOUR) * HOUR + HOUR + 5 * 60_000;
    expect(problem.detail).toContain(`made at about ${new Date(due).toISOString()}`);
    expect(Number(early.headers.get("Retry-After"))).toBeGreaterThanOrEqual(60);

    await createDigests(projectContext(tenant.project), LATER);
    expect((await proof(tenant, "now_1")).inclusion.tree_size).toBe(2);
    await expectProblem(await api("GET", "/v1/events/nope/proof", { key: tenant.keys.read }), 404);
    const other = await createTenant();
    await expectProblem(await api("GET", "/v1/events/now_1/proof", { key: other.keys.read }), 404);
    await expectAuthorisation((key) => api("GET", "/v1/events/now_1/proof", { key }), tenant, ["ingest"]);

    // Retention deletes the old event: its proof is a 404 like any unknown event's, the other's stays.
    await startRetention(systemContext(), Date.now());
    const task = await env.DB.prepare("SELECT id FROM tasks WHERE project_id = ? AND type = 'retention'")
      .bind(tenant.project.id)
      .first<{ id: string }>();
    while ((await runTaskStep(systemContext(), task?.id ?? "", TASK_KINDS, { enqueueNext: false })) === "continued");
    await expectProblem(await api("GET", "/v1/events/old_1/proof", { key: tenant.keys.read }), 404);
    const pruned = await api("GET", "/v1/events/now_1/proof", { key: tenant.keys.read });
    // Its tree was kept when the hour was digested, so the survivor is still proven.
    expect((await verifyEvidence(await expectJson(pruned, 200), PUBLIC_KEY)).ok).toBe(true);
  });

  it("rebuilds a missing tree from the stored events and keeps it; an altered event gets no proof", async () => {
    const tenant = await digested(ids(7));
    const windowStart = (await proof(tenant, "e0000")).digest.window_start;
    const key = `digests/${tenant.project.id}/${windowStart}.tree`;
    await env.FILES.delete(key);
    const rebuilt = await proof(tenant, "e0004");
    expect((await verifyEvidence(rebuilt, PUBLIC_KEY)).ok).toBe(true);
    expect(await env.FILES.head(key)).not.toBeNull();

    const { d1, pn } = shardOf(tenant.project);
    await d1.prepare("DROP TRIGGER events_no_update").run();
    try {
      await d1
        .prepare("UPDATE events SET data = replace(data, 'approved 4', 'denied 4') WHERE pn = ? AND id = 'e0004'")
        .bind(pn)
        .run();
    } finally {
      await d1
        .prepare(
          "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        )
        .run();
    }
    const refused = await expectProblem(await api("GET", "/v1/events/e0004/proof", { key: tenant.keys.read }), 409);
    expect(refused.type).toBe("/problems/proof-unavailable");
    expect(refused.detail).toContain("no longer matches its hash");
    // The other events of the hour are still proven, from the tree kept at digest time.
    expect((await verifyEvidence(await proof(tenant, "e0005"), PUBLIC_KEY)).ok).toBe(true);
  });
});

describe("consistency and epochs", () => {
  /** A tenant with digests of many hours: events at the start, then empty hours up to `hours` ahead. */
  async function history(hours: number): Promise<Tenant> {
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: { events: ids(3).map((id) => ({ id, type: "x.y" })) },
      }),
      201,
    );
    await createDigests(projectContext(tenant.project), Date.now() + hours * HOUR);
    return tenant;
  }

  it("chains digests between two hours; a verifier's kept digest is in it; a deleted digest breaks it", async () => {
    const tenant = await history(12);
    const all = await expectJson<{ data: (SignedDigest & { window_start_iso: string })[] }>(
      await api("GET", "/v1/integrity/digests", { key: tenant.keys.read }),
      200,
    );
    expect(all.data.length).toBeGreaterThanOrEqual(10);
    const kept = all.data[2] as SignedDigest & { window_start_iso: string };
    const from = encodeURIComponent(kept.window_start_iso);
    const to = encodeURIComponent(new Date((all.data[9] as SignedDigest).window_start + 1234).toISOString());
    const chain = await expectJson<Chain>(
      await api("GET", `/v1/integrity/consistency?from=${from}&to=${to}`, { key: tenant.keys.read }),
      200,
    );
    expect(chain.digests.map((d) => d.window_start)).toEqual(all.data.slice(2, 10).map((d) => d.window_start));
    expect(await verifyEvidence(chain, PUBLIC_KEY, { kept })).toMatchObject({ ok: true, problems: [] });
    // Without `to`: up to the latest digest.
    const latest = await expectJson<Chain>(
      await api("GET", `/v1/integrity/consistency?from=${from}`, { key: tenant.keys.read }),
      200,
    );
    expect(latest.digests.at(-1)?.hash).toBe(all.data.at(-1)?.hash);

    // Someone deletes a digest from the database: the chain served now no longer checks out.
    await env.DB.prepare("DELETE FROM digests WHERE project_id = ? AND window_start = ?")
      .bind(tenant.project.id, (all.data[5] as SignedDigest).window_start)
      .run();
    const broken = await expectJson<Chain>(
      await api("GET", `/v1/integrity/consistency?from=${from}&to=${to}`, { key: tenant.keys.read }),
      200,
    );
    const verdict = await verifyEvidence(broken, PUBLIC_KEY, { kept });
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join()).toMatch(/a digest is missing/);

    await expectProblem(await api("GET", "/v1/integrity/consistency?from=soon", { key: tenant.keys.read }), 422);
    await expectProblem(await api("GET", "/v1/integrity/consistency", { key: tenant.keys.read }), 422);
    await expectProblem(
      await api("GET", `/v1/integrity/consistency?from=${to}&to=${from}`, { key: tenant.keys.read }),
      422,
    );
    await expectProblem(
      await api("GET", "/v1/integrity/consistency?from=2001-01-01&to=2001-01-02", { key: tenant.keys.read }),
      404,
    );
    await expectAuthorisation((key) => api("GET", `/v1/integrity/consistency?from=${from}`, { key }), tenant, [
      "ingest",
    ]);
  });

  it("closes an epoch every N digests, chains and signs them, and proves an event up to its epoch root", async () => {
    const tenant = await history(15);
    const ctx = projectContext(tenant.project);
    expect(await createEpochs(ctx, { size: 4 })).toBe(2);
    expect(await createEpochs(ctx, { size: 4 })).toBe(1);
    const list = await expectJson<Epochs>(await api("GET", "/v1/integrity/epochs", { key: tenant.keys.read }), 200);
    expect(list.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(list.epochs[1]?.first_window_start).toBe(list.epochs[0]?.window_end);
    expect(await verifyEvidence(list, PUBLIC_KEY)).toMatchObject({ ok: true });

    // An event of the first hour: its proof reaches its digest and the digest its epoch.
    const p = await proof(tenant, "e0001");
    expect(p.epoch?.record.epoch).toBe(0);
    expect(p.epoch?.inclusion).toMatchObject({ leaf_index: 0, tree_size: 4 });
    expect(await verifyEvidence(p, PUBLIC_KEY)).toMatchObject({ ok: true });

    const sixth = (list.epochs[1]?.first_window_start ?? 0) + HOUR;
    const epochProof = await expectJson<{ format: string; epoch: { inclusion: { leaf_index: number } } }>(
      await api("GET", `/v1/integrity/epochs/proof?window=${new Date(sixth + 60_000).toISOString()}`, {
        key: tenant.keys.read,
      }),
      200,
    );
    expect(epochProof.format).toBe(FORMATS.epochProof);
    expect(epochProof.epoch.inclusion.leaf_index).toBe(1);
    expect(await verifyEvidence(epochProof, PUBLIC_KEY)).toMatchObject({ ok: true });

    // A digest whose epoch is still open, and an hour without a digest.
    const open = list.epochs[2]?.window_end ?? 0;
    const still = await expectProblem(
      await api("GET", `/v1/integrity/epochs/proof?window=${new Date(open).toISOString()}`, { key: tenant.keys.read }),
      409,
    );
    expect(still.detail).toContain("not closed yet");
    await expectProblem(
      await api("GET", "/v1/integrity/epochs/proof?window=2001-01-01", { key: tenant.keys.read }),
      404,
    );
    await expectProblem(await api("GET", "/v1/integrity/epochs/proof?window=x", { key: tenant.keys.read }), 422);
    await expectAuthorisation((key) => api("GET", "/v1/integrity/epochs", { key }), tenant, ["ingest"]);
  });
});

describe("published roots", () => {
  const publicGet = (path: string) => api("GET", path);

  it("writes every digest and epoch once to public/digests/, served only while the project opts in", async () => {
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: [{ id: "p1", type: "x.y" }] } }),
      201,
    );
    const ctx = projectContext(tenant.project);
    await createDigests(ctx, Date.now() + 6 * HOUR);
    await createEpochs(ctx, { size: 2 });
    const chain = await expectJson<{ data: SignedDigest[] }>(
      await api("GET", "/v1/integrity/digests", { key: tenant.keys.read }),
      200,
    );
    const prefix = `public/digests/${tenant.project.id}/`;
    const stored = (await env.FILES.list({ prefix })).objects.map((o) => o.key.slice(prefix.length));
    expect(stored.filter((k) => !k.startsWith("epochs/")).sort()).toEqual(
      chain.data.map((d) => `${d.window_start}.json`).sort(),
    );
    expect(stored.filter((k) => k.startsWith("epochs/")).length).toBeGreaterThan(0);
    const first = chain.data[0] as SignedDigest;

    // Off by default: nothing is served, and the answer is the same as for an unknown project.
    await expectProblem(await publicGet(`/public/digests/${tenant.project.id}/`), 404);
    await expectProblem(await publicGet(`/public/digests/${tenant.project.id}/${first.window_start}.json`), 404);
    await expectProblem(await publicGet("/public/digests/prj_unknown/"), 404);

    await env.DB.prepare("UPDATE projects SET publish_digests = 1 WHERE id = ?").bind(tenant.project.id).run();
    const listing = await publicGet(`/public/digests/${tenant.project.id}/`);
    expect(listing.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const listed = await expectJson<{ objects: { name: string; url: string }[]; next_cursor: string | null }>(
      listing,
      200,
    );
    expect(listed.objects.map((o) => o.name).sort()).toEqual(stored.sort());
    expect(listed.next_cursor).toBeNull();
    const one = await publicGet(new URL(listed.objects[0]?.url ?? "").pathname);
    const record = await expectJson<SignedDigest>(one, 200);
    // Exactly the signed digest, the same record evidence documents carry.
    expect(record).toEqual(signedDigest(first));
    expect(record.hash).toBe(first.hash);
    expect(one.headers.get("Cache-Control")).toContain("immutable");
    const epoch = await expectJson<SignedEpoch>(
      await publicGet(`/public/digests/${tenant.project.id}/epochs/0.json`),
      200,
    );
    expect(epoch.epoch).toBe(0);
    // A chain of the published copies alone verifies with the public key.
    const published = {
      format: FORMATS.digestChain,
      project_id: tenant.project.id,
      digests: chain.data.map(signedDigest),
    };
    expect((await verifyEvidence(published, PUBLIC_KEY)).ok).toBe(true);
    await expectProblem(await publicGet(`/public/digests/${tenant.project.id}/%2E%2E%2Fx.json`), 404);
    await expectProblem(await publicGet(`/public/digests/${tenant.project.id}/9.txt`), 404);
    // A cursor R2 did not hand out: refused (production R2) or ignored (local R2), never a 5xx.
    expect([200, 422]).toContain((await publicGet(`/public/digests/${tenant.project.id}/?cursor=bogus`)).status);
  });

  it("never overwrites a published copy: a second, different write is refused and logged as evidence", async () => {
    const tenant = await createTenant();
    const ctx = projectContext(tenant.project);
    const key = `public/digests/${tenant.project.id}/first.json`;
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await writeOnce(ctx, key, '{"a":1}')).toBe("written");
    expect(await writeOnce(ctx, key, '{"a":1}')).toBe("unchanged");
    expect(await writeOnce(ctx, key, '{"a":2}')).toBe("refused");
    expect(await (await env.FILES.get(key))?.text()).toBe('{"a":1}');
    expect(errors.mock.calls.map((c) => String(c[0])).join()).toMatch(/tampering evidence.*first\.json/);
    const notes = await env.DB.prepare(
      "SELECT title FROM notifications WHERE project_id = ? AND type = 'integrity.failed'",
    )
      .bind(tenant.project.id)
      .all<{ title: string }>();
    expect(notes.results.map((n) => n.title).join()).toContain("first.json");
    // R2 itself refuses the overwrite the condition names, whoever asks.
    expect(await env.FILES.put(key, "x", { onlyIf: { etagDoesNotMatch: "*" } })).toBeNull();
  });

  it("publishes what a failed write left behind, and the copies follow a move to another region", {
    timeout: MOVE_TEST_MS,
  }, async () => {
    const tenant = await createTenant();
    const ctx = projectContext(tenant.project);
    await createDigests(ctx, Date.now() + 3 * HOUR);
    const prefix = `public/digests/${tenant.project.id}/`;
    const before = (await env.FILES.list({ prefix })).objects.map((o) => o.key);
    expect(before.length).toBeGreaterThan(0);
    // A copy lost (an R2 failure after the digest was stored): the database still says unpublished.
    await env.FILES.delete(before[0] as string);
    await env.DB.prepare("UPDATE digests SET published_at = NULL WHERE project_id = ?").bind(tenant.project.id).run();
    expect(await publishPending(ctx)).toBe(before.length);
    expect((await env.FILES.list({ prefix })).objects.map((o) => o.key)).toEqual(before);
    expect(await publishPending(ctx)).toBe(0);
    // The hourly run does the same for every project.
    await env.DB.prepare("UPDATE digests SET published_at = NULL WHERE project_id = ?").bind(tenant.project.id).run();
    await createAllDigests(systemContext(), Date.now());
    const left = await env.DB.prepare("SELECT count(*) AS n FROM digests WHERE project_id = ? AND published_at IS NULL")
      .bind(tenant.project.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);

    const task = await startMove(systemContext(), tenant.project.id, "EVENTS_EU_1");
    for (let i = 0; i < 30; i++)
      if ((await runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false })) === "done") break;
    const [moved] = await systemContext().db.select().from(projects).where(eq(projects.id, tenant.project.id));
    expect(moved?.region).toBe("eu");
    expect((await env.FILES_EU.list({ prefix })).objects.map((o) => o.key)).toEqual(before);
    // The old copies stay where they were written (a bucket lock would refuse their deletion anyway).
    expect((await env.FILES.list({ prefix })).objects.map((o) => o.key)).toEqual(before);
    const [placement] = await systemContext()
      .db.select()
      .from(placements)
      .where(eq(placements.projectId, tenant.project.id));
    if (!moved || !placement) throw new Error("no project");
    // Proofs keep working from the new region (trees moved with the digests).
    await env.DB.prepare("UPDATE projects SET publish_digests = 1 WHERE id = ?").bind(tenant.project.id).run();
    await expectJson(await api("GET", `/public/digests/${tenant.project.id}/`), 200);
    expect(inProject(systemContext(), moved, placement).files).toBe(env.FILES_EU);
  });
});
