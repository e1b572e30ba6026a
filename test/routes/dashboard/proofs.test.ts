import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type InclusionProof, verifyEvidence } from "../../../src/lib/proofs";
import { createDigests } from "../../../src/services/integrity/digests";
import { api, createMember, createTenant, dash, expectJson, projectContext, shardOf, signIn } from "../../fixtures";

// The event detail's integrity line and proof download, and the publishing setting (README
// "Proofs, epochs and published roots").

const PUBLIC_KEY = JSON.parse(env.INTEGRITY_SIGNING_KEY as string).x as string;

describe("event detail: proof", () => {
  it("says whether the event is verified in its digest and downloads the API's proof", async () => {
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "d_1", type: "x.y" },
            { id: "d_2", type: "x.y" },
          ],
        },
      }),
      201,
    );
    const member = await signIn(await createMember(tenant, "member"));
    const viewer = await signIn(await createMember(tenant, "viewer"));
    const detail = (cookie: string, id: string) =>
      dash("GET", `/p/${tenant.project.id}/events/${id}`, { cookie }).then((r) => r.text());

    expect(await detail(member, "d_1")).toContain("Not in a digest yet");
    await createDigests(projectContext(tenant.project), Date.now() + 2 * 3600_000);
    const page = await detail(member, "d_1");
    expect(page).toMatch(/Verified<\/span> in digest/);
    const href = /href="([^"]+\/events\/d_1\/proof)"/.exec(page)?.[1];
    expect(href).toBe(`/p/${tenant.project.id}/events/d_1/proof`);

    const file = await dash("GET", href ?? "", { cookie: member });
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Disposition")).toBe('attachment; filename="trailbook-proof-d_1.json"');
    const text = await file.text();
    const fromApi = await (await api("GET", "/v1/events/d_1/proof", { key: tenant.keys.read })).text();
    expect(text).toBe(fromApi);
    expect((await verifyEvidence(JSON.parse(text) as InclusionProof, PUBLIC_KEY)).ok).toBe(true);

    // Viewers see no integrity, here either.
    expect(await detail(viewer, "d_1")).not.toContain("in digest");
    expect((await dash("GET", href ?? "", { cookie: viewer })).status).toBe(403);
    expect((await dash("GET", `/p/${tenant.project.id}/events/nope/proof`, { cookie: member })).status).toBe(404);

    // A row changed behind the triggers' back is not verified, and says why.
    const { d1, pn } = shardOf(tenant.project);
    await d1.prepare("DROP TRIGGER events_no_update").run();
    try {
      await d1
        .prepare(`UPDATE events SET data = replace(data, '"x.y"', '"x.z"') WHERE pn = ? AND id = 'd_2'`)
        .bind(pn)
        .run();
    } finally {
      await d1
        .prepare(
          "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        )
        .run();
    }
    const altered = await detail(member, "d_2");
    expect(altered).toMatch(/Not verified<\/span> This event&#39;s stored data no longer matches its hash/);
    expect((await dash("GET", `/p/${tenant.project.id}/events/d_2/proof`, { cookie: member })).status).toBe(409);
  });
});

describe("project settings: published digests", () => {
  it("only owners see and change the setting; an admin's save leaves it as it was", async () => {
    const tenant = await createTenant();
    const owner = await signIn(await createMember(tenant, "owner"));
    const admin = await signIn(await createMember(tenant, "admin"));
    const path = `/p/${tenant.project.id}/settings`;
    const form = { name: "Test project", timezone: "UTC", retention_days: "365", redaction_keys: "" };
    const publishes = () =>
      env.DB.prepare("SELECT publish_digests FROM projects WHERE id = ?")
        .bind(tenant.project.id)
        .first<number>("publish_digests");

    const ownerPage = await (await dash("GET", path, { cookie: owner })).text();
    expect(ownerPage).toContain('name="publish_digests"');
    expect(ownerPage).toContain(`/public/digests/${tenant.project.id}/`);
    expect(await (await dash("GET", path, { cookie: admin })).text()).not.toContain('name="publish_digests"');

    expect((await dash("POST", path, { cookie: owner, form: { ...form, publish_digests: "1" } })).status).toBe(303);
    expect(await publishes()).toBe(1);
    expect((await dash("POST", path, { cookie: admin, form: { ...form, retention_days: "30" } })).status).toBe(303);
    expect(await publishes()).toBe(1);
    expect((await dash("POST", path, { cookie: owner, form })).status).toBe(303);
    expect(await publishes()).toBe(0);
    const changes = await api("GET", "/v1/events?type=settings.updated&limit=10", { key: tenant.keys.read });
    const logged = await expectJson<{ data: { changes?: Record<string, unknown> }[] }>(changes, 200);
    expect(logged.data.filter((e) => e.changes?.publish_digests).length).toBe(2);
  });
});
