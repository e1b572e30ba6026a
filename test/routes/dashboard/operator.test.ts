import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { placements, shards, users } from "../../../src/db/schema";
import { createMember, createTenant, dash, shardOf, signIn, systemContext } from "../../fixtures";

// The operators' dashboard view of the event shards (README "Storage at scale").

async function operatorSession() {
  const tenant = await createTenant();
  const member = await createMember(tenant, "owner");
  await systemContext().db.update(users).set({ operator: true }).where(eq(users.id, member.userId));
  return { tenant, cookie: await signIn(member) };
}

describe("the operators' shard view", () => {
  it("does not exist for users who do not run the deployment, whatever their role", async () => {
    const tenant = await createTenant();
    const owner = await signIn(await createMember(tenant, "owner"));
    expect((await dash("GET", "/operator/shards", { cookie: owner })).status).toBe(404);
    expect(
      (
        await dash("POST", "/operator/moves", {
          cookie: owner,
          form: { project_id: tenant.project.id, shard: "EVENTS_1" },
        })
      ).status,
    ).toBe(404);
    expect((await dash("GET", "/projects", { cookie: owner })).status).toBe(200);
    expect(await (await dash("GET", "/projects", { cookie: owner })).text()).not.toContain("/operator/shards");
  });

  it("lists every shard with its region, state, size and projects, linked from the project list", async () => {
    const { cookie } = await operatorSession();
    expect(await (await dash("GET", "/projects", { cookie })).text()).toContain('href="/operator/shards"');
    const page = await dash("GET", "/operator/shards", { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const binding of ["EVENTS_1", "EVENTS_2", "EVENTS_3", "EVENTS_EU_1"])
      expect(html).toContain(`<code>${binding}</code>`);
    expect(html).toContain(">eu<");
  });

  it("changes a shard's state after a post, then redirects (Post/Redirect/Get)", async () => {
    const { cookie } = await operatorSession();
    const answer = await dash("POST", "/operator/shards/EVENTS_3", { cookie, form: { state: "draining" } });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("Location")).toBe("/operator/shards?done=state");
    const [row] = await systemContext().db.select().from(shards).where(eq(shards.binding, "EVENTS_3"));
    expect(row?.state).toBe("draining");
    expect(await (await dash("GET", "/operator/shards?done=state", { cookie })).text()).toContain(
      "Shard state changed.",
    );
    const bad = await dash("POST", "/operator/shards/EVENTS_3", { cookie, form: { state: "gone" } });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("choose open, closed or draining");
    await dash("POST", "/operator/shards/EVENTS_3", { cookie, form: { state: "open" } });
    // Another site's form is refused, and nothing changes.
    const forged = await dash("POST", "/operator/shards/EVENTS_3", {
      cookie,
      form: { state: "closed" },
      origin: "https://evil.example",
    });
    expect(forged.status).toBe(403);
    const [after] = await systemContext().db.select().from(shards).where(eq(shards.binding, "EVENTS_3"));
    expect(after?.state).toBe("open");
  });

  it("starts a move and says so; a refused move explains why on the page", async () => {
    const { tenant, cookie } = await operatorSession();
    const home = shardOf(tenant.project).binding;
    const same = await dash("POST", "/operator/moves", {
      cookie,
      form: { project_id: tenant.project.id, shard: home },
    });
    expect(same.status).toBe(422);
    expect(await same.text()).toContain(`already on ${home}`);
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== home) as string;
    const started = await dash("POST", "/operator/moves", {
      cookie,
      form: { project_id: tenant.project.id, shard: target },
    });
    expect(started.status).toBe(303);
    expect(started.headers.get("Location")).toMatch(/^\/operator\/shards\?done=move&task=tsk_/);
    const [placement] = await systemContext()
      .db.select()
      .from(placements)
      .where(eq(placements.projectId, tenant.project.id));
    expect(placement?.targetShard).toBe(target);
  });
});
