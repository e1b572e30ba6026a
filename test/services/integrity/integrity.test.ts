import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../../src/db/client";
import { merkleRoot, sha256Text } from "../../../src/lib/merkle";
import { verifyText } from "../../../src/lib/signing";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { createDigests } from "../../../src/services/integrity/digests";
import { startRetention } from "../../../src/services/retention/run";
import { runTaskStep } from "../../../src/services/tasks/engine";
import {
  api,
  createTenant,
  expectJson,
  expectProblem,
  keyContext,
  projectContext,
  shardOf,
  systemContext,
  type Tenant,
} from "../../fixtures";

const _KEY = env.INTEGRITY_SIGNING_KEY as string;
const _db = createDb(env.DB);
const LATER = Date.now() + 2 * 3600_000;

type Report = {
  ok: boolean;
  checked: number;
  verified: number;
  pruned: unknown[];
  broken: { window_start: string; reason: string }[];
  first_broken: { window_start: string; window_end: string; reason: string } | null;
};

async function seeded(events: Record<string, unknown>[]): Promise<Tenant> {
  const tenant = await createTenant();
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
  expect(await createDigests(projectContext(tenant.project), LATER)).toBeGreaterThan(0);
  return tenant;
}

const verify = async (tenant: Tenant) =>
  expectJson<Report>(await api("POST", "/v1/integrity/verify", { key: tenant.keys.read, body: {} }), 200);
const some = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, type: "commission.updated", summary: `approved ${i}` }));

describe("merkle root", () => {
  it("follows RFC 6962", async () => {
    expect(await merkleRoot([])).toBe(await sha256Text(""));
    const leaves = await Promise.all(["a", "b", "c"].map(sha256Text));
    expect(await merkleRoot(leaves)).not.toBe(await merkleRoot([leaves[1] ?? "", leaves[0] ?? "", leaves[2] ?? ""]));
    expect(await merkleRoot(leaves)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("digests", () => {
  it("chains signed digests of closed windows that verify with the public key", async () => {
    const tenant = await seeded(some(25));
    const { public_key } = await expectJson<{ public_key: string; algorithm: string }>(
      await api("GET", "/v1/integrity/public-key"),
      200,
    );
    const { data } = await expectJson<{
      data: { hash: string; signature: string; previous_hash: string; event_count: number }[];
    }>(await api("GET", "/v1/integrity/digests", { key: tenant.keys.read }), 200);
    expect(data.reduce((n, d) => n + d.event_count, 0)).toBe(25);
    expect(data[0]?.previous_hash).toBe("0".repeat(64));
    for (const [i, d] of data.entries()) {
      expect(await verifyText(public_key, d.hash, d.signature)).toBe(true);
      if (i > 0) expect(d.previous_hash).toBe(data[i - 1]?.hash);
    }
    // Stored in R2 too, each beside its Merkle tree when it covers events.
    const stored = (await env.FILES.list({ prefix: `digests/${tenant.project.id}/` })).objects.map((o) => o.key);
    expect(stored.filter((k) => k.endsWith(".json"))).toHaveLength(data.length);
    expect(stored.filter((k) => k.endsWith(".tree"))).toHaveLength(data.filter((d) => d.event_count > 0).length);
    const report = await verify(tenant);
    expect(report).toMatchObject({ ok: true, broken: [], first_broken: null });
    // Windows up to now are checked (the test digested an hour ahead as well).
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(report.verified).toBe(report.checked);
    // A second run adds nothing for windows already digested.
    expect(await createDigests(projectContext(tenant.project), LATER)).toBe(0);
  });

  it("detects a row altered behind the triggers' back, naming its window", async () => {
    const tenant = await seeded(some(10));
    const { d1, pn } = shardOf(tenant.project);
    await d1.prepare("DROP TRIGGER events_no_update").run();
    try {
      const altered = await d1
        .prepare("UPDATE events SET data = replace(data, 'approved 3', 'denied 3') WHERE pn = ? AND id = 'e3'")
        .bind(pn)
        .run();
      expect(altered.meta.changes).toBe(1);
    } finally {
      await d1
        .prepare(
          "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        )
        .run();
    }
    const report = await verify(tenant);
    expect(report.ok).toBe(false);
    expect(report.first_broken?.reason).toContain("events changed since they were stored: e3");
    const window = Math.floor(Date.now() / 3600_000) * 3600_000;
    expect(report.first_broken?.window_start).toBe(new Date(window).toISOString());
  });

  it("detects a deleted row", async () => {
    const tenant = await seeded(some(10));
    const { d1, pn } = shardOf(tenant.project);
    await d1.batch([
      d1.prepare("INSERT INTO delete_cutoffs (pn, cutoff) VALUES (?, ?)").bind(pn, Number.MAX_SAFE_INTEGER),
      d1.prepare("DELETE FROM events WHERE pn = ? AND id = 'e5'").bind(pn),
      d1.prepare("DELETE FROM delete_cutoffs WHERE pn = ?").bind(pn),
    ]);
    expect(await d1.prepare("SELECT count(*) AS n FROM events WHERE pn = ?").bind(pn).first<number>("n")).toBe(9);
    const report = await verify(tenant);
    expect(report.ok).toBe(false);
    expect(report.first_broken?.reason).toBe("10 events were digested, 9 are stored");
  });

  it("after retention, reports the pruned windows as pruned and the rest as verified", async () => {
    const old = new Date(Date.now() - 400 * 24 * 3600_000).toISOString();
    const tenant = await seeded([...some(5).map((e) => ({ ...e, occurred_at: old })), { id: "recent", type: "x.y" }]);
    // A later window with only recent events stays verifiable.
    await startRetention(systemContext(), Date.now());
    const task = await env.DB.prepare("SELECT id FROM tasks WHERE project_id = ? AND type = 'retention'")
      .bind(tenant.project.id)
      .first<{ id: string }>();
    while ((await runTaskStep(systemContext(), task?.id ?? "", TASK_KINDS, { enqueueNext: false })) === "continued");
    const { d1, pn } = shardOf(tenant.project);
    const left = await d1
      .prepare("SELECT count(*) AS n FROM events WHERE pn = ? AND id GLOB 'e[0-9]*'")
      .bind(pn)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const report = await verify(tenant);
    expect(report).toMatchObject({ ok: true, broken: [] });
    expect(report.pruned.length).toBeGreaterThan(0);
  });

  it("checks keys and input", async () => {
    const tenant = await createTenant();
    await expectProblem(await api("POST", "/v1/integrity/verify", { body: {} }), 401);
    await expectProblem(
      await api("POST", "/v1/integrity/verify", { key: tenant.keys.read, body: { from: "soon" } }),
      422,
    );
    await expectProblem(await api("GET", "/v1/integrity/digests", { key: tenant.keys.ingest }), 403);
  });
});

describe("offline verification", () => {
  it("verifies a real export against the digests with only the public key, and names a tampered window", async () => {
    const { requestExport } = await import("../../../src/services/exports/request");
    const { verifyExport } = await import("../../../src/lib/verify-offline");
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: some(30) } }),
      201,
    );
    // The export's own event is stored before the windows are digested, as it would be in an hour.
    const { row, task } = await requestExport(await keyContext(tenant), {
      format: "jsonl",
      gzip: false,
      filters: {},
      enqueue: false,
    });
    await createDigests(projectContext(tenant.project), LATER);
    while ((await runTaskStep(systemContext(), task.id, TASK_KINDS, { enqueueNext: false })) === "continued");
    const text = await (await api("GET", `/v1/exports/${row.id}/download`, { key: tenant.keys.read })).text();
    const events = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; received_at: string; hash: string; summary?: string });
    expect(events).toHaveLength(31);
    const { data: digests } = await expectJson<{ data: Parameters<typeof verifyExport>[1] }>(
      await api("GET", "/v1/integrity/digests", { key: tenant.keys.read }),
      200,
    );
    const { public_key } = await expectJson<{ public_key: string }>(await api("GET", "/v1/integrity/public-key"), 200);

    const good = await verifyExport(events, digests, public_key);
    expect(good.ok).toBe(true);
    expect(good.windows.filter((w) => w.status === "verified").length).toBeGreaterThan(0);

    const tampered = events.map((e) => (e.id === "e7" ? { ...e, summary: "approved 700" } : e));
    const bad = await verifyExport(tampered, digests, public_key);
    expect(bad.ok).toBe(false);
    expect(bad.first_broken?.reason).toContain("e7");
    const wrongKey = await verifyExport(events, digests, "nX_4a6LXoDNHWulPoE348xT59TYWI0cHPHPZpOEOBwA");
    expect(wrongKey.first_broken?.reason).toContain("signature");
  });
});
