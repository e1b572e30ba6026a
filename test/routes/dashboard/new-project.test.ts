import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { memberships, placements, projects, shards } from "../../../src/db/schema";
import { createMember, createTenant, dash, signIn, systemContext } from "../../fixtures";

async function projectsOf(userId: string) {
  return systemContext()
    .db.select({ id: projects.id, name: projects.name, region: projects.region, role: memberships.role })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId));
}

describe("creating a project in the dashboard", () => {
  it("lets an owner create one, placed on a shard of its region, with them as owner, and switch to it", async () => {
    const tenant = await createTenant();
    const owner = await createMember(tenant, "owner");
    const cookie = await signIn(owner);
    const list = await (await dash("GET", "/projects", { cookie })).text();
    expect(list).toContain('<form method="post" action="/projects"');

    const created = await dash("POST", "/projects", {
      cookie,
      form: { name: "Second <shop>", timezone: "Europe/Berlin", region: "eu" },
    });
    expect(created.status, await created.clone().text()).toBe(303);
    const id = /^\/p\/(prj_[a-z0-9]+)\/events$/.exec(created.headers.get("Location") ?? "")?.[1];
    if (!id) throw new Error(`no project in ${created.headers.get("Location")}`);
    expect((await projectsOf(owner.userId)).find((p) => p.id === id)).toEqual({
      id,
      name: "Second <shop>",
      region: "eu",
      role: "owner",
    });
    // Its events have a home: a placement on an EU shard, as `npm run bootstrap -- --region eu` makes.
    const [home] = await systemContext()
      .db.select({ region: shards.region })
      .from(placements)
      .innerJoin(shards, eq(shards.binding, placements.shard))
      .where(eq(placements.projectId, id));
    expect(home?.region).toBe("eu");
    const page = await dash("GET", `/p/${id}/events`, { cookie });
    const html = await page.text();
    expect(page.status, html.slice(0, 300)).toBe(200);
    // The header's switcher offers both projects.
    expect(html).toContain(`/p/${tenant.project.id}/`);
    expect(html).toContain("Second &lt;shop&gt;");
    // Its first event says who created it.
    expect(await (await dash("GET", `/p/${id}/events?view=configuration`, { cookie })).text()).toContain(
      "Project Second &lt;shop&gt; created",
    );
  });

  it("refuses a bad form with the reason and keeps what was typed, creating nothing", async () => {
    const tenant = await createTenant();
    const owner = await createMember(tenant, "owner");
    const cookie = await signIn(owner);
    for (const form of [
      { name: "X", timezone: "Mars/Olympus", region: "default" },
      { name: " ", timezone: "UTC", region: "default" },
      { name: "X", timezone: "UTC", region: "moon" },
    ]) {
      const answer = await dash("POST", "/projects", { cookie, form });
      expect(answer.status).toBe(422);
      const text = await answer.text();
      expect(text).toMatch(/not an IANA time zone|enter a name|not default or eu/);
      expect(text).toContain(`value="${form.timezone}"`);
    }
    expect(await projectsOf(owner.userId)).toHaveLength(1);
  });

  it("is for owners only, and only from our own pages", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "admin");
    const memberCookie = await signIn(member);
    expect(await (await dash("GET", "/projects", { cookie: memberCookie })).text()).not.toContain('action="/projects"');
    const refused = await dash("POST", "/projects", {
      cookie: memberCookie,
      form: { name: "Mine", timezone: "UTC", region: "default" },
    });
    expect(refused.status).toBe(403);
    expect(await projectsOf(member.userId)).toHaveLength(1);

    const owner = await createMember(tenant, "owner");
    const crossSite = await dash("POST", "/projects", {
      cookie: await signIn(owner),
      form: { name: "Forged", timezone: "UTC", region: "default" },
      origin: "https://evil.example",
    });
    expect(crossSite.status).toBe(403);
    expect(await projectsOf(owner.userId)).toHaveLength(1);
    const anonymous = await dash("POST", "/projects", { form: { name: "Nobody", timezone: "UTC", region: "default" } });
    expect([302, 303]).toContain(anonymous.status);
    expect(
      await systemContext()
        .db.select()
        .from(projects)
        .where(and(eq(projects.name, "Nobody"))),
    ).toEqual([]);
  });
});
