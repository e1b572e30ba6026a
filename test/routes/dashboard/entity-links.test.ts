import { describe, expect, it } from "vitest";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  followRedirect,
  signIn,
  storedEvents,
} from "../../fixtures";

describe("entity links", () => {
  it("are set in Settings by owners and admins, and link events' entities and targets in the list and the detail", async () => {
    const tenant = await createTenant();
    const admin = await signIn(await createMember(tenant, "admin"));
    const base = `/p/${tenant.project.id}`;
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: {
          id: "c1",
          type: "commission.updated",
          summary: "Commission approved",
          entity: { type: "commission", id: "123" },
          targets: [{ type: "promoter", id: "p 9/x" }],
        },
      }),
      201,
    );

    // Refused: the page says why, keeps the text, and nothing is saved.
    const bad = await dash("POST", `${base}/settings/entity-links`, {
      cookie: admin,
      form: { links: "promoter javascript:alert({id})" },
    });
    expect(bad.status).toBe(422);
    const badText = await bad.text();
    expect(badText).toContain("line 1: the URL must start with https:// or http://");
    expect(badText).toContain("promoter javascript:alert({id})</textarea>");
    expect(await (await dash("GET", `${base}/events`, { cookie: admin })).text()).not.toContain("View promoter");

    const saved = await dash("POST", `${base}/settings/entity-links`, {
      cookie: admin,
      form: { links: "promoter https://app.example.com/promoters/{id}" },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`${base}/settings`);
    const settings = await (await followRedirect(saved, admin)).text();
    expect(settings).toContain("Entity links saved.");
    expect(settings).toContain("promoter https://app.example.com/promoters/{id}</textarea>");

    const href = 'href="https://app.example.com/promoters/p%209%2Fx" target="_blank" rel="noopener noreferrer"';
    const list = await (await dash("GET", `${base}/events`, { cookie: admin })).text();
    expect(list).toContain(`<a ${href}>View promoter</a>`);
    expect(list).not.toContain("View commission");
    const detail = await (await dash("GET", `${base}/events/c1`, { cookie: admin })).text();
    expect(detail).toContain(`<a ${href}>View promoter</a>`);

    const changes = (await storedEvents(tenant.project.id)).filter((e) => e.type === "settings.updated");
    expect(changes.map((e) => e.summary)).toContain("Project settings changed: entity links");

    // Only those who change settings may set them.
    const member = await signIn(await createMember(tenant, "member"));
    const refused = await dash("POST", `${base}/settings/entity-links`, {
      cookie: member,
      form: { links: "commission https://evil.example/{id}" },
    });
    expect(refused.status).toBe(403);
    expect(await (await dash("GET", `${base}/events`, { cookie: member })).text()).not.toContain("evil.example");
    // A cross-site post is refused whoever sends it.
    const crossSite = await dash("POST", `${base}/settings/entity-links`, {
      cookie: admin,
      form: { links: "commission https://evil.example/{id}" },
      origin: "https://evil.example",
    });
    expect(crossSite.status).toBe(403);
    expect(await (await dash("GET", `${base}/events`, { cookie: admin })).text()).not.toContain("evil.example");
  });
});
