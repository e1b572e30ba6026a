import { createExecutionContext, env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { placements } from "../../../src/db/schema";
import { api, createTenant, expectJson, expectProblem, shardOf, systemContext } from "../../fixtures";

// The operators' API (README "Storage at scale"): bearer OPERATOR_TOKEN, shards and moves.

const TOKEN = env.OPERATOR_TOKEN as string;
const as = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

describe("the operators' API", () => {
  it("does not exist without OPERATOR_TOKEN, and wants the token when it is set", async () => {
    const app = createApp();
    const off = await app.request(
      "/v1/admin/shards",
      { headers: as(TOKEN) },
      { ...env, OPERATOR_TOKEN: undefined },
      createExecutionContext(),
    );
    expect(off.status).toBe(404);
    await expectProblem(await api("GET", "/v1/admin/shards"), 401);
    await expectProblem(await api("GET", "/v1/admin/shards", { headers: as(`${TOKEN}x`) }), 401);
    const tenant = await createTenant();
    await expectProblem(await api("GET", "/v1/admin/shards", { key: tenant.keys.admin }), 401);
  });

  it("lists the shards with their projects, and opens, closes and drains them", async () => {
    const tenant = await createTenant();
    const home = shardOf(tenant.project).binding;
    const listed = await expectJson<{ data: { binding: string; region: string; projects: number; state: string }[] }>(
      await api("GET", "/v1/admin/shards", { headers: as(TOKEN) }),
      200,
    );
    expect(listed.data.map((s) => s.binding)).toEqual(["EVENTS_1", "EVENTS_2", "EVENTS_3", "EVENTS_EU_1"]);
    const placed = await systemContext().db.select().from(placements);
    expect(listed.data.reduce((sum, s) => sum + s.projects, 0)).toBe(placed.length);
    expect(listed.data.find((s) => s.binding === home)?.projects).toBe(placed.filter((p) => p.shard === home).length);
    expect(listed.data.find((s) => s.binding === "EVENTS_EU_1")?.region).toBe("eu");
    const drained = await expectJson<{ state: string }>(
      await api("PATCH", `/v1/admin/shards/${home}`, { headers: as(TOKEN), body: { state: "draining" } }),
      200,
    );
    expect(drained.state).toBe("draining");
    await expectProblem(
      await api("PATCH", `/v1/admin/shards/${home}`, { headers: as(TOKEN), body: { state: "full" } }),
      422,
    );
    await expectProblem(
      await api("PATCH", "/v1/admin/shards/EVENTS_9", { headers: as(TOKEN), body: { state: "open" } }),
      404,
    );
    await expectJson(
      await api("PATCH", `/v1/admin/shards/${home}`, { headers: as(TOKEN), body: { state: "open" } }),
      200,
    );
  });

  it("starts a move as a task, and refuses bad ones with a clear error", async () => {
    const tenant = await createTenant();
    const home = shardOf(tenant.project).binding;
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== home) as string;
    await expectProblem(
      await api("POST", "/v1/admin/moves", { headers: as(TOKEN), body: { project_id: "prj_nope", shard: target } }),
      404,
    );
    await expectProblem(
      await api("POST", "/v1/admin/moves", { headers: as(TOKEN), body: { project_id: tenant.project.id, shard: "X" } }),
      422,
    );
    const task = await expectJson<{ id: string; type: string; status: string }>(
      await api("POST", "/v1/admin/moves", {
        headers: as(TOKEN),
        body: { project_id: tenant.project.id, shard: target },
      }),
      202,
    );
    expect(task).toMatchObject({ type: "move", status: "enqueued" });
    const [placement] = await systemContext()
      .db.select()
      .from(placements)
      .where(eq(placements.projectId, tenant.project.id));
    expect(placement).toMatchObject({ shard: home, targetShard: target, moveTaskId: task.id });
    await expectProblem(
      await api("POST", "/v1/admin/moves", {
        headers: as(TOKEN),
        body: { project_id: tenant.project.id, shard: target },
      }),
      409,
    );
  });
});
