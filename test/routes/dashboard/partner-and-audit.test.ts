import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  explorerCount,
  followRedirect,
  signIn,
  storedEvents,
  type Tenant,
} from "../../fixtures";

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant();
  const events = [
    { id: "mine_1", type: "commission.updated", organization_id: "org_9", summary: "Partner nine's commission" },
    {
      id: "mine_2",
      type: "payout.created",
      category: "payment",
      organization_id: "org_9",
      summary: "Partner nine's payout",
    },
    { id: "theirs", type: "commission.updated", organization_id: "org_7", summary: "Partner seven's commission" },
    { id: "no_org", type: "user.login", category: "auth", summary: "Someone signed in" },
    {
      id: "config",
      type: "api_key.revoked",
      category: "configuration",
      organization_id: "org_9",
      summary: "Key revoked",
    },
  ];
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
});

const eventsPage = async (cookie: string, query = "") =>
  (await dash("GET", `/p/${tenant.project.id}/events${query}`, { cookie })).text();

describe("partner viewer", () => {
  it("sees, counts and opens only their organisation's events", async () => {
    const cookie = await signIn(await createMember(tenant, "viewer", { organizationId: "org_9" }));
    const html = await eventsPage(cookie);
    expect(html).toContain("Partner nine&#39;s commission");
    expect(html).toContain("Partner nine&#39;s payout");
    expect(html).not.toContain("Partner seven");
    expect(html).not.toContain("Someone signed in");
    expect(html).not.toContain("Key revoked");
    expect(await explorerCount(html, cookie)).toContain(">2 events<");
    // A filter naming another organisation cannot widen the scope.
    const widened = await eventsPage(cookie, "?organization_id=org_7");
    expect(await explorerCount(widened, cookie)).toContain(">2 events<");
    expect(widened).not.toContain("Partner seven");
    const byQuery = await eventsPage(cookie, `?search=${encodeURIComponent("-org:org_9")}`);
    expect(await explorerCount(byQuery, cookie)).toContain(">0 events<");
    expect(byQuery).not.toContain("Partner seven");

    expect((await dash("GET", `/p/${tenant.project.id}/events/mine_1`, { cookie })).status).toBe(200);
    for (const id of ["theirs", "no_org", "config"]) {
      const response = await dash("GET", `/p/${tenant.project.id}/events/${id}`, { cookie });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain("Partner seven");
    }
  });

  it("an unscoped viewer and a member see everything but configuration activity; admins see it", async () => {
    for (const role of ["viewer", "member"] as const) {
      const html = await eventsPage(await signIn(await createMember(tenant, role)));
      expect(html).toContain("Partner seven");
      expect(html).not.toContain("Key revoked");
      expect(
        (
          await dash("GET", `/p/${tenant.project.id}/events/config`, {
            cookie: await signIn(await createMember(tenant, role)),
          })
        ).status,
      ).toBe(404);
    }
    const admin = await eventsPage(await signIn(await createMember(tenant, "admin")));
    expect(admin).toContain("Key revoked");
  });

  it("shows a readable message for a malformed filter instead of events", async () => {
    const html = await eventsPage(
      await signIn(await createMember(tenant, "member")),
      `?search=${encodeURIComponent("colour:red")}`,
    );
    expect(html).toContain("unknown key &quot;colour&quot; at column 1");
    expect(html).toMatch(/id="search-error"[^>]*role="alert"/);
    expect(html).not.toContain("data-event-id");
  });
});

describe("Trailbook's own configuration events", () => {
  it("records settings, API key and member changes with the actor and old → new values", async () => {
    const project = await createTenant();
    const owner = await createMember(project, "owner");
    const cookie = await signIn(owner);
    const base = `/p/${project.project.id}/settings`;
    await dash("POST", base, {
      cookie,
      form: { name: "Renamed", timezone: "Europe/Berlin", retention_days: "90", redaction_keys: "iban, tax_id" },
    });
    const keyPage = await (
      await followRedirect(
        await dash("POST", `${base}/api-keys`, { cookie, form: { name: "Importer", scope: "ingest" } }),
        cookie,
      )
    ).text();
    const secret = /<div class="secret">(tb_[A-Za-z0-9_-]+)<\/div>/.exec(keyPage)?.[1];
    if (!secret) throw new Error("the new key was not shown");
    expect((await api("POST", "/v1/events", { key: secret, body: { type: "probe.sent" } })).status).toBe(201);
    const keyId = /\/api-keys\/(key_[a-z0-9]+)\/revoke/.exec(keyPage)?.[1];
    await dash("POST", `${base}/api-keys/${keyId}/revoke`, { cookie });
    expect((await api("POST", "/v1/events", { key: secret, body: { type: "probe.sent" } })).status).toBe(401);
    const colleague = await createMember(project, "member");
    await dash("POST", `${base}/members/${colleague.userId}`, {
      cookie,
      form: { role: "viewer", organization_id: "org_3" },
    });
    await dash("POST", `${base}/members/${colleague.userId}/remove`, { cookie });

    const events = await storedEvents(project.project.id);
    const byType = (type: string) => events.find((e) => e.type === type);
    const actor = { type: "team_member", id: owner.userId, email: owner.email };
    expect(byType("settings.updated")).toMatchObject({
      category: "configuration",
      source: "dashboard",
      actor,
      changes: {
        name: ["Test project", "Renamed"],
        timezone: ["UTC", "Europe/Berlin"],
        retention_days: [365, 90],
        redaction_keys: [[], ["iban", "tax_id"]],
      },
    });
    expect(byType("api_key.created")).toMatchObject({
      category: "configuration",
      actor,
      changes: { scope: [null, "ingest"] },
    });
    expect(byType("api_key.revoked")).toMatchObject({
      category: "configuration",
      actor,
      entity: { type: "api_key", id: keyId },
    });
    expect(byType("member.updated")).toMatchObject({
      changes: { role: ["member", "viewer"], organization_id: [null, "org_3"] },
    });
    expect(byType("member.removed")).toMatchObject({ changes: { role: ["viewer", null] } });
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it("shows settings errors next to the form and changes nothing", async () => {
    const project = await createTenant();
    const cookie = await signIn(await createMember(project, "owner"));
    const response = await dash("POST", `/p/${project.project.id}/settings`, {
      cookie,
      form: { name: "", timezone: "Mars/Olympus", retention_days: "0", redaction_keys: "ok, <bad>" },
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain("not an IANA time zone");
    expect(html).toContain("at least 1 day");
    expect(html).toContain("&lt;bad&gt;");
    expect((await storedEvents(project.project.id)).filter((e) => e.type === "settings.updated")).toEqual([]);
  });
});

describe("partner viewer analytics", () => {
  it("counts only their organisation's events", async () => {
    const cookie = await signIn(await createMember(tenant, "viewer", { organizationId: "org_9" }));
    const html = await (await dash("GET", `/p/${tenant.project.id}/analytics?range=24h`, { cookie })).text();
    expect(html).toContain("2 events in this range");
    expect(html).not.toContain("Partner seven");
  });
});

describe("partner viewer pickers", () => {
  it("list only values of their organisation's events; others' types, sources, fields and ids never appear", async () => {
    const project = await createTenant();
    const events = [
      {
        type: "invoice.sent",
        category: "billing",
        source: "crm-nine",
        organization_id: "org_9",
        actor: { id: "actor_nine" },
        entity: { type: "invoice", id: "inv_1" },
        changes: { status: ["draft", "sent"] },
      },
      {
        type: "merger.planned",
        category: "secretplans",
        source: "crm-seven",
        organization_id: "org_7",
        actor: { id: "actor_seven" },
        changes: { takeover_price: [1, 2] },
      },
      { type: "partner9.hidden", category: "configuration", organization_id: "org_9", source: "cfg-source" },
      { type: "orgless.thing", source: "crm-none", changes: { orgless_field: [1, 2] } },
    ];
    await expectJson(await api("POST", "/v1/events/batch", { key: project.keys.ingest, body: { events } }), 201);
    const picker = (html: string, name: string) => {
      const select = new RegExp(`<select[^>]*name="${name}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? "";
      return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]).sort();
    };

    const partner = await signIn(await createMember(project, "viewer", { organizationId: "org_9" }));
    const html = await (await dash("GET", `/p/${project.project.id}/events?range=all`, { cookie: partner })).text();
    expect(picker(html, "type")).toEqual(["invoice.*", "invoice.sent"]);
    expect(picker(html, "category")).toEqual(["billing"]);
    expect(picker(html, "source")).toEqual(["crm-nine"]);
    // Changed fields are offered by name and with their entity type (`changed=invoice.status`).
    expect(picker(html, "changed")).toEqual(["invoice.status", "status"]);
    const changedCount = async (changed: string) =>
      explorerCount(
        await (
          await dash("GET", `/p/${project.project.id}/events?range=all&changed=${changed}`, { cookie: partner })
        ).text(),
        partner,
      );
    expect(await changedCount("invoice.status")).toContain(">1 event<");
    expect(await changedCount("status")).toContain(">1 event<");
    expect(await changedCount("merger.status")).toContain(">0 events<");
    expect(await changedCount("takeover_price")).toContain(">0 events<");
    for (const foreign of ["merger", "secretplans", "crm-seven", "takeover_price", "orgless", "crm-none", "cfg-source"])
      expect(html).not.toContain(foreign);
    for (const facet of ["actor_id", "organization_id"]) {
      const suggested = await (
        await dash("GET", `/p/${project.project.id}/suggest/${facet}?${facet}=a`, {
          cookie: partner,
          headers: { "HX-Request": "true" },
        })
      ).text();
      expect(suggested).not.toContain("actor_seven");
      expect(suggested).not.toContain("org_7");
    }

    // Everyone else still picks from the whole project.
    const member = await signIn(await createMember(project, "member"));
    const all = await (await dash("GET", `/p/${project.project.id}/events?range=all`, { cookie: member })).text();
    expect(picker(all, "source")).toEqual(expect.arrayContaining(["cfg-source", "crm-nine", "crm-none", "crm-seven"]));
    expect(picker(all, "category")).toEqual(expect.arrayContaining(["billing", "secretplans"]));
  });
});
