import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { wordRange, wordsOf } from "../../../src/lib/words";
import { api, createMember, createTenant, dash, expectJson, shardOf, signIn, type Tenant } from "../../fixtures";

// People and organisations by name (README "Filters" and "The dashboard"): `actor:` matches the
// start of any word of a name or e-mail, the explorer's boxes suggest actors and organisations as
// one types, organisations have display names; all within the project and the viewer's scope.

let tenant: Tenant;
let other: Tenant;
let owner: string;

const EVENTS = [
  {
    id: "e_jane",
    type: "commission.updated",
    actor: { id: "u_jane", name: "Jane Doe", email: "jane@example.com" },
    organization_id: "org_init",
    metadata: { organization_name: "Initech LLC" },
  },
  {
    id: "e_janet",
    type: "commission.updated",
    actor: { id: "u_janet", name: "Janet Smith", email: "janet@corp.io" },
    organization_id: "org_acme",
  },
  { id: "e_elo", type: "user.login", category: "auth", actor: { id: "u_elo", name: "Élodie Dupont" } },
  {
    id: "e_pct",
    type: "user.login",
    category: "auth",
    actor: { id: "u_pct", name: "100% Real_Name", email: "o'brien@x.io" },
  },
  {
    id: "e_bob",
    type: "user.login",
    category: "auth",
    actor: { id: "u_bob", name: "Bob Jones", email: "BOB@Example.com" },
  },
];

async function post(t: Tenant, events: Record<string, unknown>[]) {
  await expectJson(await api("POST", "/v1/events/batch", { key: t.keys.ingest, body: { events } }), 201);
}

/** Ids of the events an API search finds. */
async function found(query: string, t = tenant): Promise<string[]> {
  const response = await api("GET", `/v1/events?limit=200&query=${encodeURIComponent(query)}`, { key: t.keys.read });
  const body = await expectJson<{ data: { id: string }[] }>(response, 200);
  return body.data.map((e) => e.id).sort();
}

async function suggest(path: string, cookie = owner, t = tenant) {
  const response = await dash("GET", `/p/${t.project.id}/suggest/${path}`, {
    cookie,
    headers: { "HX-Request": "true" },
  });
  const text = await response.text();
  const links = [...text.matchAll(/<a href="[^"]*[?&](?:actor_id|organization_id)=([^"&]*)[^"]*">([^<]*)/g)];
  return {
    status: response.status,
    text,
    values: links.map((m) => decodeURIComponent(m[1] ?? "")),
    labels: links.map((m) => m[2] ?? ""),
  };
}

beforeAll(async () => {
  tenant = await createTenant();
  // Another project on the same shard, whose actors share the shard's dictionary.
  for (let i = 0; i < 8; i++) {
    other = await createTenant();
    if (shardOf(other.project).binding === shardOf(tenant.project).binding) break;
  }
  expect(shardOf(other.project).binding).toBe(shardOf(tenant.project).binding);
  await post(tenant, EVENTS);
  await post(other, [
    { id: "o_jane", type: "user.login", actor: { id: "u_jane_other", name: "Jane Other", email: "jane@other.io" } },
    {
      id: "o_org",
      type: "user.login",
      organization_id: "org_secret",
      metadata: { organization_name: "Initech Secret" },
    },
  ]);
  owner = await signIn(await createMember(tenant, "owner"));
});

describe("words", () => {
  it("folds case and accents and keeps each word and the whole value", () => {
    expect(wordsOf("Élodie  Dupont", "Jane.Doe+x@Example.com")).toEqual([
      "elodie dupont",
      "elodie",
      "dupont",
      "jane.doe+x@example.com",
      "jane",
      "doe",
      "x",
      "example",
      "com",
    ]);
    expect(wordRange("  ÉLO ")).toEqual({ from: "elo", to: "elo\u{10FFFF}" });
    expect(wordRange("\u0301\u0301")).toBeNull();
    expect(wordRange("x".repeat(500))?.from).toHaveLength(64);
  });
});

describe("actor: by the start of any word of a name or e-mail", () => {
  it("matches partial names and e-mails, case- and accent-insensitively", async () => {
    expect(await found("actor:jan")).toEqual(["e_jane", "e_janet"]);
    expect(await found("actor:JANE")).toEqual(["e_jane", "e_janet"]);
    expect(await found("actor:doe")).toEqual(["e_jane"]);
    expect(await found('actor:"jane d"')).toEqual(["e_jane"]);
    expect(await found("actor:jane@ex")).toEqual(["e_jane"]);
    expect(await found("actor:jane@example.com")).toEqual(["e_jane"]);
    expect(await found("actor:corp")).toEqual(["e_janet"]);
    expect(await found("actor:elo")).toEqual(["e_elo"]);
    expect(await found("actor:ÉLODIE")).toEqual(["e_elo"]);
    expect(await found("actor:bob@example")).toEqual(["e_bob"]);
    expect(await found('actor:"o\'brien"')).toEqual(["e_pct"]);
    expect(await found("actor:100%")).toEqual(["e_pct"]);
  });

  it("matches ids exactly, not by their start", async () => {
    expect(await found("actor:u_jane")).toEqual(["e_jane"]);
    expect(await found("actor:u_ja")).toEqual([]);
    expect(await found("-actor:jan type:commission.*")).toEqual([]);
  });

  it("treats LIKE wildcards, quotes and very long text as text", async () => {
    expect(await found("actor:%")).toEqual([]);
    expect(await found("actor:_")).toEqual([]);
    expect(await found("actor:j%")).toEqual([]);
    expect(await found('actor:"\'"')).toEqual([]);
    expect(await found(`actor:${"j".repeat(200)}`)).toEqual([]);
    const long = await api("GET", `/v1/events?query=actor:${"j".repeat(1500)}`, { key: tenant.keys.read });
    expect(long.status).toBe(422);
  });

  it("never finds another project's actors on the same shard", async () => {
    expect(await found("actor:other")).toEqual([]);
    expect(await found("actor:jane@other")).toEqual([]);
    expect(await found("actor:jan", other)).toEqual(["o_jane"]);
  });
});

describe("suggestions in the explorer", () => {
  it("suggests actors by name, e-mail and id, each a link filtering by its id", async () => {
    const jan = await suggest("actor_id?actor_id=Jan");
    expect(jan.status, jan.text).toBe(200);
    expect(jan.values).toEqual(["u_jane", "u_janet"]);
    expect(jan.labels).toEqual(["Jane Doe", "Janet Smith"]);
    expect(jan.text).toContain("jane@example.com · u_jane");
    expect(jan.text).toContain("search=Jan&amp;search_by=actor");
    expect((await suggest("actor_id?actor_id=jane%40ex")).values).toEqual(["u_jane"]);
    expect((await suggest("actor_id?actor_id=u_j")).values).toEqual(["u_jane", "u_janet"]);
    expect((await suggest("actor_id?actor_id=%C3%A9lo")).values).toEqual(["u_elo"]);
    // The rest of the form comes along, so the link keeps the view and range.
    const kept = await suggest("actor_id?actor_id=doe&view=activity&range=7d&status=success");
    expect(kept.text).toContain("?view=activity&amp;range=7d&amp;status=success&amp;actor_id=u_jane");
  });

  it("answers hostile text with an empty list, never an error", async () => {
    for (const typed of ["%", "_", "%25%", "'", '"', "\\", "' OR 1=1 --", "\u0301", "x".repeat(5000)]) {
      const result = await suggest(`actor_id?actor_id=${encodeURIComponent(typed)}`);
      expect(result.status, typed).toBe(200);
      expect(result.values, typed).toEqual([]);
      const orgs = await suggest(`organization_id?organization_id=${encodeURIComponent(typed)}`);
      expect(orgs.status, typed).toBe(200);
      expect(orgs.values, typed).toEqual([]);
    }
    expect((await suggest("actor_id?actor_id=%3Cscript%3E")).text).not.toContain("<script>");
  });

  it("never suggests another project's actors or organisations", async () => {
    expect((await suggest("actor_id?actor_id=other")).values).toEqual([]);
    expect((await suggest("actor_id?actor_id=u_jane_")).values).toEqual([]);
    await vi.waitFor(async () =>
      expect((await suggest("organization_id?organization_id=init")).values).toEqual(["org_init"]),
    );
    expect((await suggest("organization_id?organization_id=secret")).values).toEqual([]);
  });

  it("offers a partner viewer its own organisation's actors only, and no organisations", async () => {
    const partner = await signIn(await createMember(tenant, "viewer", { organizationId: "org_acme" }));
    expect((await suggest("actor_id?actor_id=jan", partner)).values).toEqual(["u_janet"]);
    expect((await suggest("actor_id?actor_id=u_", partner)).values).toEqual(["u_janet"]);
    expect((await suggest("actor_id", partner)).values).toEqual(["u_janet"]);
    expect((await suggest("organization_id?organization_id=org", partner)).values).toEqual([]);
    const page = await (await dash("GET", `/p/${tenant.project.id}/events`, { cookie: partner })).text();
    expect(page).toContain(`hx-get="/p/${tenant.project.id}/suggest/actor_id"`);
    expect(page).not.toContain("/suggest/organization_id");
    // A URL naming another organisation's actor learns no name from the chip.
    const named = await (
      await dash("GET", `/p/${tenant.project.id}/events?range=all&actor_id=u_jane`, { cookie: partner })
    ).text();
    expect(named).toContain("actor: u_jane");
    expect(named).not.toContain("Jane Doe");
    const own = await (
      await dash("GET", `/p/${tenant.project.id}/events?range=all&actor_id=u_janet`, { cookie: partner })
    ).text();
    expect(own).toContain("actor: Janet Smith (u_janet)");
  });

  it("turns a name typed in the actor box (not an id) into a search by actor", async () => {
    const response = await dash("GET", `/p/${tenant.project.id}/events?actor_id=Jan&range=all&range_was=24h`, {
      cookie: owner,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(
      `/p/${tenant.project.id}/events?range=all&search=Jan&search_by=actor`,
    );
    const page = await (
      await dash("GET", `/p/${tenant.project.id}/events?range=all&search=Jan&search_by=actor`, { cookie: owner })
    ).text();
    expect(page).toContain("e_jane");
    expect(page).toContain("e_janet");
    expect(page).not.toContain("e_bob");
    // A link naming an id keeps it as an exact id, as the API does.
    const exact = await dash("GET", `/p/${tenant.project.id}/events?actor_id=Jan&range=all`, { cookie: owner });
    expect(exact.status).toBe(200);
  });

  it("names the actor and organisation in the chips", async () => {
    await vi.waitFor(async () => {
      const page = await (
        await dash("GET", `/p/${tenant.project.id}/events?range=all&actor_id=u_jane&organization_id=org_init`, {
          cookie: owner,
        })
      ).text();
      expect(page).toContain("actor: Jane Doe (u_jane)");
      expect(page).toContain("organisation: Initech LLC (org_init)");
    });
  });
});

describe("organisation names", () => {
  const save = (names: string, cookie = owner) =>
    dash("POST", `/p/${tenant.project.id}/settings/organizations`, { cookie, form: { names } });

  it("learns names from events, lets Settings override them, and finds organisations by any word", async () => {
    await vi.waitFor(async () =>
      expect((await suggest("organization_id?organization_id=llc")).labels).toEqual(["Initech LLC"]),
    );
    expect((await save("org_acme Acme Corporation\norg_init   Initech Global\n\n")).status).toBe(303);
    const settings = await (await dash("GET", `/p/${tenant.project.id}/settings`, { cookie: owner })).text();
    expect(settings).toContain("org_acme Acme Corporation\norg_init Initech Global");
    expect((await suggest("organization_id?organization_id=ACME")).values).toEqual(["org_acme"]);
    expect((await suggest("organization_id?organization_id=glob")).labels).toEqual(["Initech Global"]);
    // The old name's words went with it.
    expect((await suggest("organization_id?organization_id=llc")).values).toEqual([]);
    // An event's name does not replace one from Settings.
    await post(tenant, [
      { id: "e_renamed", type: "user.login", organization_id: "org_init", metadata: { organization_name: "Renamed" } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await suggest("organization_id?organization_id=renamed")).values).toEqual([]);

    // Search by organisation takes a name; the detail names it beside its id.
    const page = await (
      await dash("GET", `/p/${tenant.project.id}/events?range=all&search=initech&search_by=organization`, {
        cookie: owner,
      })
    ).text();
    expect(page).toContain("e_jane");
    expect(page).not.toContain("e_janet");
    const detail = await (await dash("GET", `/p/${tenant.project.id}/events/e_jane`, { cookie: owner })).text();
    expect(detail).toContain("Initech Global (org_init)");
    // Another project's names are not searched.
    const otherPage = await (
      await dash("GET", `/p/${tenant.project.id}/events?range=all&search=secret&search_by=organization`, {
        cookie: owner,
      })
    ).text();
    expect(otherPage).not.toContain("o_org");

    // Taking a line away takes its name away.
    expect((await save("org_init Initech Global")).status).toBe(303);
    expect((await suggest("organization_id?organization_id=acme")).values).toEqual([]);
  });

  it("refuses bad lines with a message, changing nothing, and only for those who manage settings", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM organizations WHERE project_id = ?1")
      .bind(tenant.project.id)
      .first<{ n: number }>();
    const bad = await save("org_x\norg_y Fine");
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("line 1: write the organisation id, a space, then its name");
    expect((await save(`org_z ${"n".repeat(201)}`)).status).toBe(422);
    expect((await save("org_z bad\u0007name")).status).toBe(422);
    const viewer = await signIn(await createMember(tenant, "viewer"));
    expect((await save("org_q Quiet", viewer)).status).toBe(403);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM organizations WHERE project_id = ?1")
      .bind(tenant.project.id)
      .first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});
