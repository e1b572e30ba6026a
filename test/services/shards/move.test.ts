import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { placements, projects } from "../../../src/db/schema";
import { shardDatabase } from "../../../src/db/shard/bindings";
import { sha256Hex } from "../../../src/lib/crypto";
import { TASK_KINDS } from "../../../src/queues/tasks";
import { createSession } from "../../../src/services/auth/sessions";
import { inProject } from "../../../src/services/context";
import { createDigests } from "../../../src/services/integrity/digests";
import { KEY_CACHE_MS } from "../../../src/services/key-cache";
import { findSessionMembership } from "../../../src/services/members/membership";
import { cachedSessionMembership } from "../../../src/services/session-cache";
import { startMove } from "../../../src/services/shards/move";
import { allocateNumber } from "../../../src/services/shards/placement";
import { runTaskStep } from "../../../src/services/tasks/engine";
import { api, createMember, createTenant, expectJson, expectProblem, systemContext, type Tenant } from "../../fixtures";

// A move's clean-up starts KEY_CACHE_MS after its switch (src/services/shards/move.ts).
const MOVE_TEST_MS = KEY_CACHE_MS + 10_000;

// Moving a project between shards (README "Moving a project") while events keep arriving.

const BASE = Date.now();
const LATER = BASE + 3 * 3600_000;

async function placementOf(tenant: Tenant) {
  const [row] = await systemContext().db.select().from(placements).where(eq(placements.projectId, tenant.project.id));
  if (!row) throw new Error("no placement");
  return row;
}

function shard(binding: string): D1Database {
  const d1 = shardDatabase(env, binding);
  if (!d1) throw new Error(`no binding ${binding}`);
  return d1;
}

/** One event per id, the same content every time the id is sent (a number from the id picks its values). */
const event = (id: string, i = [...id].reduce((n, ch) => n + ch.charCodeAt(0), 0)) => ({
  id,
  type: i % 3 ? "commission.updated" : "payout.created",
  category: i % 3 ? "activity" : "payment",
  status: i % 2 ? "success" : "failure",
  summary: `moving ${id}`,
  actor: { id: `u_${i % 7}`, email: `U${i % 7}@example.com` },
  organization_id: `org_${i % 4}`,
  changes: { status: ["pending", "approved"] },
  occurred_at: new Date(BASE - (i % 50) * 60_000).toISOString(),
});

async function post(tenant: Tenant, ids: string[]) {
  const events = ids.map((id) => event(id));
  return api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } });
}

async function allIds(tenant: Tenant): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: { id: string }[]; next_cursor: string | null } = await expectJson(
      await api("GET", `/v1/events?limit=200${cursor ? `&cursor=${cursor}` : ""}`, { key: tenant.keys.read }),
      200,
    );
    ids.push(...page.data.map((e) => e.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

async function rowsOn(binding: string, pn: number): Promise<number> {
  return (
    (await shard(binding).prepare("SELECT count(*) AS n FROM events WHERE pn = ?").bind(pn).first<number>("n")) ?? 0
  );
}

describe("moving a project to another shard", () => {
  it("copies every event once while ingest goes on, keeps ids idempotent, then removes the old copy", {
    timeout: MOVE_TEST_MS,
  }, async () => {
    const tenant = await createTenant();
    const before = await placementOf(tenant);
    const initial = Array.from({ length: 1_150 }, (_, i) => `m_${i}`);
    for (let i = 0; i < initial.length; i += 500) await expectJson(await post(tenant, initial.slice(i, i + 500)), 201);
    const ctx = systemContext();
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== before.shard) as string;
    const task = await startMove(ctx, tenant.project.id, target);
    expect((await placementOf(tenant)).targetShard).toBe(target);
    // A member's session, whose membership (with the placement) the isolate keeps for a few seconds.
    // (Made directly: a sign-in would add its own event to the project.)
    const member = await createMember(tenant, "member");
    const { token } = await createSession(ctx, { userId: member.userId, stage: "active" });
    const tokenHash = await sha256Hex(token);
    let switchSeen = false;

    // Steps of the move with ingest between them: new events, and the first ones again.
    const arrived: string[] = [];
    for (let step = 0; step < 100; step++) {
      const fresh = [`n_${step}_a`, `n_${step}_b`];
      const answer = await expectJson<{ data: { duplicate: boolean }[] }>(
        await post(tenant, [...fresh, initial[step] as string]),
        201,
      );
      expect(answer.data.map((d) => d.duplicate)).toEqual([false, false, true]);
      arrived.push(...fresh);
      const moved = (await placementOf(tenant)).shard === target;
      if (!moved) {
        const kept = await findSessionMembership(ctx, token, tenant.project.id);
        expect(kept?.membership?.placement.shard).toBe(before.shard);
      }
      const outcome = await runTaskStep(ctx, task.id, TASK_KINDS, { enqueueNext: false });
      if (!moved && (await placementOf(tenant)).shard === target) {
        // The switch forgets the kept memberships, so no page reads the old shard from this isolate.
        switchSeen = true;
        expect(cachedSessionMembership(tokenHash, tenant.project.id)).toBeUndefined();
        const now = await findSessionMembership(ctx, token, tenant.project.id);
        expect(now?.membership?.placement.shard).toBe(target);
      }
      if (outcome === "done") break;
    }
    expect(switchSeen).toBe(true);
    const after = await placementOf(tenant);
    expect(after).toMatchObject({ shard: target, targetShard: null, moveTaskId: null });
    await expectJson(await post(tenant, ["late_1"]), 201);

    const ids = await allIds(tenant);
    const expected = [...initial, ...arrived, "late_1"];
    expect(ids.length).toBe(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(await rowsOn(target, after.pn)).toBe(expected.length);
    expect(await rowsOn(before.shard, before.pn)).toBe(0);
    const left = await shard(before.shard)
      .prepare(
        "SELECT (SELECT count(*) FROM shard_projects WHERE pn = ?1) + (SELECT count(*) FROM event_facets WHERE pn = ?1) + (SELECT count(*) FROM event_counts WHERE pn = ?1) + (SELECT count(*) FROM event_changes WHERE pn = ?1) + (SELECT count(*) FROM actor_words WHERE pn = ?1) AS n",
      )
      .bind(before.pn)
      .first<number>("n");
    expect(left).toBe(0);
    // The actors' words travel with their events (the explorer finds them by name there).
    const words = await shard(target)
      .prepare("SELECT count(*) AS n FROM actor_words WHERE pn = ?1 AND word = 'u0'")
      .bind(after.pn)
      .first<number>("n");
    expect(words).toBe(1);

    // Counts, filters and full text on the new shard, against counting the rows.
    const count = async (query: string) =>
      (
        await expectJson<{ count: number }>(
          await api("GET", `/v1/events/count?${query}`, { key: tenant.keys.read }),
          200,
        )
      ).count;
    expect(await count("")).toBe(expected.length);
    expect(await count("status=failure")).toBe(
      (await shard(target)
        .prepare(
          "SELECT count(*) AS n FROM events e JOIN terms t ON t.id = e.status WHERE e.pn = ? AND t.value = 'failure'",
        )
        .bind(after.pn)
        .first<number>("n")) ?? -1,
    );
    expect(await count("q=moving")).toBe(expected.length);
    expect(await count("query=actor%3Au3%40example.com")).toBeGreaterThan(0);
    expect(await count("changed=status")).toBe(expected.length);

    // Idempotency across the move: the same id and content is a duplicate, other content a 409.
    const again = await expectJson<{ data: { duplicate: boolean }[] }>(await post(tenant, ["m_5"]), 201);
    expect(again.data[0]?.duplicate).toBe(true);
    await expectProblem(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { ...event("m_5"), summary: "changed" } }),
      409,
    );
  });

  it("keeps every hash and receive time, so digests made before the move verify after it", {
    timeout: MOVE_TEST_MS,
  }, async () => {
    const tenant = await createTenant();
    const before = await placementOf(tenant);
    await expectJson(
      await post(
        tenant,
        Array.from({ length: 40 }, (_, i) => `d_${i}`),
      ),
      201,
    );
    const ctx = systemContext();
    expect(await createDigests(inProject(ctx, tenant.project, before), LATER)).toBeGreaterThan(0);
    const verify = async () =>
      expectJson<{ ok: boolean; verified: number }>(
        await api("POST", "/v1/integrity/verify", { key: tenant.keys.read, body: {} }),
        200,
      );
    expect(await verify()).toMatchObject({ ok: true });
    const stored = async () =>
      (
        await expectJson<{ data: { id: string; hash: string; received_at: string }[] }>(
          await api("GET", "/v1/events?limit=200", { key: tenant.keys.read }),
          200,
        )
      ).data;
    const original = await stored();
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== before.shard) as string;
    const task = await startMove(ctx, tenant.project.id, target);
    for (let i = 0; i < 20; i++)
      if ((await runTaskStep(ctx, task.id, TASK_KINDS, { enqueueNext: false })) === "done") break;
    expect((await placementOf(tenant)).shard).toBe(target);
    expect(await stored()).toEqual(original);
    const report = await verify();
    expect(report.ok).toBe(true);
    expect(report.verified).toBeGreaterThan(0);
  });

  it("refuses a second move, a move to its own shard and one to a shard that is not bound", async () => {
    const tenant = await createTenant();
    const home = await placementOf(tenant);
    const ctx = systemContext();
    await expect(startMove(ctx, tenant.project.id, home.shard)).rejects.toThrow(/already on/);
    await expect(startMove(ctx, tenant.project.id, "EVENTS_99")).rejects.toThrow(/no shard EVENTS_99/);
    const target = ["EVENTS_1", "EVENTS_2"].find((b) => b !== home.shard) as string;
    await startMove(ctx, tenant.project.id, target);
    await expect(startMove(ctx, tenant.project.id, target)).rejects.toThrow(/already moving/);
  });

  it("answers 503 with Retry-After and stores nothing while the project is frozen on a shard it still lives on", async () => {
    const tenant = await createTenant();
    const home = await placementOf(tenant);
    await shard(home.shard).prepare("UPDATE shard_projects SET frozen = 1 WHERE pn = ?").bind(home.pn).run();
    const response = await api("POST", "/v1/events", { key: tenant.keys.ingest, body: event("frozen_1") });
    const problem = await expectProblem(response, 503);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(problem.detail).toMatch(/being moved/);
    expect(await rowsOn(home.shard, home.pn)).toBe(0);
  });

  it("holds a write that meets the frozen shard until the placement names the new one, then stores it there", async () => {
    const tenant = await createTenant();
    const home = await placementOf(tenant);
    const ctx = systemContext();
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== home.shard) as string;
    const pn = await allocateNumber(ctx, target, tenant.project.id);
    await shard(home.shard).prepare("UPDATE shard_projects SET frozen = 1 WHERE pn = ?").bind(home.pn).run();
    const posting = api("POST", "/v1/events", { key: tenant.keys.ingest, body: event("held_1") });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await ctx.db.update(placements).set({ shard: target, pn }).where(eq(placements.projectId, tenant.project.id));
    await expectJson(await posting, 201);
    expect(await rowsOn(target, pn)).toBe(1);
    expect(await rowsOn(home.shard, home.pn)).toBe(0);
  });

  it("carries an EU move's files to the EU bucket and sets the project's region", {
    timeout: MOVE_TEST_MS,
  }, async () => {
    const tenant = await createTenant();
    const ctx = systemContext();
    await expectJson(await post(tenant, ["eu_1", "eu_2"]), 201);
    await env.FILES.put(`exports/${tenant.project.id}/exp_x.csv`, "a,b\n");
    const task = await startMove(ctx, tenant.project.id, "EVENTS_EU_1");
    for (let i = 0; i < 20; i++)
      if ((await runTaskStep(ctx, task.id, TASK_KINDS, { enqueueNext: false })) === "done") break;
    expect(await env.FILES.head(`exports/${tenant.project.id}/exp_x.csv`)).toBeNull();
    expect(await (await env.FILES_EU.get(`exports/${tenant.project.id}/exp_x.csv`))?.text()).toBe("a,b\n");
    const [project] = await ctx.db.select().from(projects).where(eq(projects.id, tenant.project.id));
    expect(project?.region).toBe("eu");
    expect((await allIds(tenant)).sort()).toEqual(["eu_1", "eu_2"]);
  });
});
