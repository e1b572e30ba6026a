import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { placements, shards } from "../../../src/db/schema";
import { AppError } from "../../../src/lib/errors";
import { SIZE_NOTE_MS } from "../../../src/services/ingest/record";
import { createProject } from "../../../src/services/projects/create";
import { knownShards, measureShards, noteShardSize } from "../../../src/services/shards/directory";
import { api, createTenant, expectJson, expectProblem, shardOf, systemContext } from "../../fixtures";

// Placement (README "Storage at scale"): a new project goes to the open shard of its region with
// the most free room; closed, draining and full shards are never chosen.

const ctx = () => systemContext();

async function setShard(binding: string, values: Partial<typeof shards.$inferInsert>) {
  await knownShards(ctx());
  await ctx().db.update(shards).set(values).where(eq(shards.binding, binding));
}

async function homeOf(projectId: string) {
  const [row] = await ctx().db.select().from(placements).where(eq(placements.projectId, projectId));
  return row?.shard;
}

describe("placement", () => {
  it("knows every bound shard with the region its name gives", async () => {
    const known = await knownShards(ctx());
    expect(known.map((s) => [s.binding, s.region, s.state])).toEqual([
      ["EVENTS_1", "default", "open"],
      ["EVENTS_2", "default", "open"],
      ["EVENTS_3", "default", "open"],
      ["EVENTS_EU_1", "eu", "open"],
    ]);
  });

  it("puts a project on the open shard of its region with the most free room", async () => {
    await setShard("EVENTS_1", { sizeBytes: 3_000_000, state: "open" });
    await setShard("EVENTS_2", { sizeBytes: 1_000_000, state: "open" });
    await setShard("EVENTS_3", { sizeBytes: 2_000_000, state: "open" });
    const first = await createProject(ctx(), { name: "a" });
    expect(await homeOf(first.id)).toBe("EVENTS_2");
    const eu = await createProject(ctx(), { name: "b", region: "eu" });
    expect(await homeOf(eu.id)).toBe("EVENTS_EU_1");
    expect(eu.region).toBe("eu");
  });

  it("spreads projects over shards of equal size by how many projects each holds", async () => {
    for (const b of ["EVENTS_1", "EVENTS_2", "EVENTS_3"]) await setShard(b, { sizeBytes: 7_000_000, state: "open" });
    const homes = [];
    for (let i = 0; i < 6; i++) homes.push(await homeOf((await createProject(ctx(), { name: `s${i}` })).id));
    const counts = new Map<string, number>();
    for (const h of homes) counts.set(h ?? "", (counts.get(h ?? "") ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(["EVENTS_1", "EVENTS_2", "EVENTS_3"]);
    for (const b of ["EVENTS_1", "EVENTS_2", "EVENTS_3"]) await setShard(b, { sizeBytes: 0 });
  });

  it("never chooses a closed, draining or full shard, and answers 503 when none is left", async () => {
    await setShard("EVENTS_1", { sizeBytes: 0, state: "closed" });
    await setShard("EVENTS_2", { sizeBytes: 0, state: "draining" });
    await setShard("EVENTS_3", { sizeBytes: 5_000_000, state: "open" });
    for (let i = 0; i < 3; i++)
      expect(await homeOf((await createProject(ctx(), { name: `p${i}` })).id)).toBe("EVENTS_3");
    await noteShardSize(ctx(), "EVENTS_3", 8_000_000_001);
    expect((await knownShards(ctx())).find((s) => s.binding === "EVENTS_3")?.state).toBe("closed");
    const refused = await createProject(ctx(), { name: "none" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, headers: { "Retry-After": "3600" } });
    for (const b of ["EVENTS_1", "EVENTS_2", "EVENTS_3"]) await setShard(b, { sizeBytes: 0, state: "open" });
  });

  it("keeps a draining shard draining when its size is measured", async () => {
    await setShard("EVENTS_2", { state: "draining" });
    await noteShardSize(ctx(), "EVENTS_2", 9_000_000_000);
    expect((await knownShards(ctx())).find((s) => s.binding === "EVENTS_2")?.state).toBe("draining");
    await setShard("EVENTS_2", { sizeBytes: 0, state: "open" });
  });

  it("measures every shard from D1's own size report", async () => {
    const sizes = await measureShards(ctx());
    expect(Object.keys(sizes).sort()).toEqual(["EVENTS_1", "EVENTS_2", "EVENTS_3", "EVENTS_EU_1"]);
    for (const size of Object.values(sizes)) expect(size).toBeGreaterThan(10_000);
    const known = await knownShards(ctx());
    expect(known.every((s) => s.measuredAt !== null && s.sizeBytes > 0)).toBe(true);
  });

  it("refuses ingest with a 503 and Retry-After once its shard is full, storing nothing", async () => {
    const tenant = await createTenant();
    const { binding, d1, pn } = shardOf(tenant.project);
    await setShard(binding, { sizeBytes: 9_600_000_000 });
    const response = await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { type: "a.b" } });
    await expectProblem(response, 503);
    expect(response.headers.get("Retry-After")).toBe("600");
    expect(await d1.prepare("SELECT count(*) AS n FROM events WHERE pn = ?").bind(pn).first("n")).toBe(0);
    await setShard(binding, { sizeBytes: 0 });
    await expectJson(await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { type: "a.b" } }), 201);
  });

  it("records the shard's size after an ingest, at most once a second per isolate", async () => {
    const tenant = await createTenant();
    const { binding } = shardOf(tenant.project);
    const recorded = async () => (await knownShards(ctx())).find((s) => s.binding === binding)?.sizeBytes ?? 0;
    const ingest = async (type: string) =>
      expectJson(await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { type } }), 201);
    const pause = () => new Promise((resolve) => setTimeout(resolve, SIZE_NOTE_MS));
    await setShard(binding, { sizeBytes: 0, measuredAt: null });
    await pause();
    await ingest("a.b");
    await expect.poll(recorded).toBeGreaterThan(10_000);
    // Within the second: the batch's size is not written again.
    await setShard(binding, { sizeBytes: 0, measuredAt: null });
    await ingest("a.c");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await recorded()).toBe(0);
    await pause();
    await ingest("a.d");
    await expect.poll(recorded).toBeGreaterThan(10_000);
  });
});
