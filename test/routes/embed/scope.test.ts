import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  api,
  cookieFrom,
  createMember,
  createTenant,
  dash,
  expectJson,
  followRedirect,
  signIn,
  storedEvents,
  type Tenant,
} from "../../fixtures";

// An embedded viewer sees one organisation's events within its token's filters, on every page,
// fragment, suggestion and export (README "Embeddable viewer"). The token here: org_9, types
// `user.*`, nothing before 2025; so of the stored events only `org9_login` is visible.

type Minted = { id: string; token: string; url: string };
type Session = { cookie: string; base: string; id: string };

let tenant: Tenant;
let full: Session;
let readOnly: Session;

const VISIBLE = "org9_login";
const HIDDEN = ["org9_commission", "org9_old_login", "org7_login", "org9_config", "org7_commission"];

async function openViewer(body: Record<string, unknown>): Promise<Session> {
  const minted = await expectJson<Minted>(
    await api("POST", "/v1/viewer-tokens", {
      key: tenant.keys.admin,
      body: { organization_id: "org_9", actor: { id: "cust_1", name: "Ann Admin", email: "ann@acme.test" }, ...body },
    }),
    201,
  );
  const response = await dash("GET", new URL(minted.url).pathname);
  const cookie = cookieFrom(response, "tb_viewer");
  if (!cookie) throw new Error(`no viewer cookie: ${response.status}`);
  return { cookie, base: `/embed/s/${minted.id}`, id: minted.id };
}

const get = (s: Session, path: string, htmx = false) =>
  dash("GET", `${s.base}${path}`, { cookie: s.cookie, headers: htmx ? { "HX-Request": "true" } : {} });

function expectOnlyVisible(html: string) {
  expect(html).toContain(VISIBLE);
  for (const id of HIDDEN) expect(html, id).not.toContain(id);
}

beforeAll(async () => {
  tenant = await createTenant();
  const events = [
    {
      id: "org9_login",
      type: "user.login",
      category: "auth",
      status: "success",
      organization_id: "org_9",
      actor: { id: "u_org9" },
    },
    { id: "org9_commission", type: "commission.updated", organization_id: "org_9", actor: { id: "u_org9b" } },
    { id: "org9_old_login", type: "user.logout", organization_id: "org_9", occurred_at: "2024-06-01T00:00:00Z" },
    { id: "org7_login", type: "user.login", organization_id: "org_7", actor: { id: "u_org7" } },
    { id: "org7_commission", type: "commission.updated", organization_id: "org_7" },
    { id: "org9_config", type: "user.role_changed", category: "configuration", organization_id: "org_9" },
  ];
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
  const filters = { types: ["user.*"], from: "2025-01-01T00:00:00Z" };
  full = await openViewer({ filters, permissions: ["read", "export"] });
  readOnly = await openViewer({ filters });
});

describe("what an embedded viewer sees", () => {
  const lists: [string, string, boolean][] = [
    ["the list", "/events?range=all", false],
    ["the list asking for another organisation", "/events?range=all&organization_id=org_7", false],
    ["the list searching another organisation", "/events?range=all&query=org%3Aorg_7", false],
    ["the list asking for other types", "/events?range=all&type=commission.*", false],
    ["the list before the floor", "/events?range=custom&from=2024-01-01&to=2024-12-31", false],
    ["the configuration view", "/events?range=all&view=configuration", false],
    ["the next page", "/rows?range=all", true],
  ];
  it.each(lists)("%s", async (_name, path, htmx) => {
    const response = await get(full, path, htmx);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    for (const id of HIDDEN) expect(html, id).not.toContain(id);
    if (!path.includes("org_7") && !path.includes("commission") && !path.includes("2024"))
      expect(html).toContain(VISIBLE);
  });

  it("counts only what it may see", async () => {
    const html = await (await get(full, "/count?range=all", true)).text();
    expect(html).toMatch(/\b1 event\b/);
    const asked = await (await get(full, "/count?range=all&organization_id=org_7", true)).text();
    expect(asked).toMatch(/\b1 event\b/);
  });

  it("opens only its own events; any other is a 404 whatever the URL says", async () => {
    expect((await get(full, `/events/${VISIBLE}`)).status).toBe(200);
    for (const id of HIDDEN) {
      expect((await get(full, `/events/${id}`)).status, id).toBe(404);
      expect((await get(full, `/events/${id}?organization_id=org_7`)).status, id).toBe(404);
    }
  });

  it("suggests nothing from other organisations and offers only its types", async () => {
    const actors = await (await get(full, "/suggest/actor_id?actor_id=u_", true)).text();
    expect(actors).not.toContain("u_org7");
    // Its own organisation's actors, only those of events its token lets it see (user.*).
    expect(actors).toContain(`href="${full.base}/events?actor_id=u_org9"`);
    expect(actors).not.toContain("u_org9b");
    const orgs = await (await get(full, "/suggest/organization_id?organization_id=org", true)).text();
    expect(orgs).not.toContain("org_7");
    const page = await (await get(full, "/events?range=all")).text();
    expect(page).not.toContain("commission.updated");
  });

  it("exports only what it may see, and lists only its own exports", async () => {
    const confirm = await (await get(full, "/exports/new?range=all&organization_id=org_7")).text();
    expect(confirm).toContain("<strong>1</strong> event matches");
    const created = await dash("POST", `${full.base}/exports`, {
      cookie: full.cookie,
      form: { format: "jsonl", organization_id: "org_7", type: "commission.*,user.*" },
    });
    expect(created.status, await created.clone().text()).toBe(303);
    const location = created.headers.get("Location") ?? "";
    expect(location).toMatch(new RegExp(`^${full.base}/exports/exp_[a-z0-9]+/download$`));
    const none = await dash("GET", location, { cookie: full.cookie });
    expect(await none.text()).toBe("");
    const all = await dash("POST", `${full.base}/exports`, { cookie: full.cookie, form: { format: "jsonl" } });
    const file = await (await dash("GET", all.headers.get("Location") ?? "", { cookie: full.cookie })).text();
    expectOnlyVisible(file);
    // Another session of the same organisation does not see this session's exports.
    const other = await openViewer({ permissions: ["read", "export"] });
    const foreign = (all.headers.get("Location") ?? "").replace(full.base, other.base);
    expect((await dash("GET", foreign, { cookie: other.cookie })).status).toBe(404);
  });

  it("exports only with the export permission", async () => {
    expect((await get(readOnly, "/exports/new")).status).toBe(403);
    const post = await dash("POST", `${readOnly.base}/exports`, { cookie: readOnly.cookie, form: { format: "csv" } });
    expect(post.status).toBe(403);
    expect(await (await get(readOnly, "/events")).text()).not.toContain("/exports/new");
  });

  it("reaches nothing else of the dashboard", async () => {
    for (const path of ["/tasks", "/imports"]) expect((await get(full, path)).status, path).toBe(403);
    for (const path of ["/settings", "/webhooks", "/analytics", "/integrity"])
      expect((await get(full, path)).status, path).toBe(404);
    const project = await dash("GET", `/p/${tenant.project.id}/events`, { cookie: full.cookie });
    expect(project.status).toBe(303);
    expect(project.headers.get("Location")).toContain("/login");
    const page = await (await get(full, "/events?range=all")).text();
    expect(page).not.toContain('href="/p/');
    expect(page).not.toContain("Sign out");
    expect(page).not.toContain('class="topbar"');
  });

  it("refuses a form sent from another site", async () => {
    const response = await dash("POST", `${full.base}/exports`, {
      cookie: full.cookie,
      form: { format: "csv" },
      origin: "https://evil.example",
    });
    expect(response.status).toBe(403);
  });

  it("records the session and the export with the embedded actor", async () => {
    const events = await storedEvents(tenant.project.id);
    const started = events.find((e) => e.type === "viewer.session_started");
    expect(started?.actor).toEqual({
      type: "embedded_viewer",
      id: "cust_1",
      name: "Ann Admin",
      email: "ann@acme.test",
    });
    expect(started?.organization_id).toBe("org_9");
    expect(JSON.stringify(events)).not.toMatch(/tbv_/);
    const exported = events.find((e) => e.type === "export.created");
    expect((exported?.actor as { type?: string } | undefined)?.type).toBe("embedded_viewer");
    expect(events.some((e) => e.type === "viewer_token.created")).toBe(true);
  });
});

describe("who may frame it", () => {
  it("nobody until the project lists origins, then exactly those", async () => {
    const before = (await get(full, "/events")).headers.get("Content-Security-Policy") ?? "";
    expect(before).toContain("frame-ancestors 'none'");
    expect((await get(full, "/events")).headers.get("X-Frame-Options")).toBeNull();

    const owner = await createMember(tenant, "owner");
    const cookie = await signIn(owner);
    const settings = `/p/${tenant.project.id}/settings/embedding`;
    const bad = await dash("POST", settings, {
      cookie,
      form: { allowed_origins: "https://ok.example.com\nhttps://x.example.com/path; script-src *" },
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("is not an origin");
    expect((await get(full, "/events")).headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");

    const saved = await dash("POST", settings, {
      cookie,
      form: { allowed_origins: "https://app.example.com\nhttp://localhost:4321/", accent: "#AA3300", mode: "dark" },
    });
    expect(await (await followRedirect(saved, cookie)).text()).toContain("Embedding settings saved.");
    const csp = (await get(full, "/events")).headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("frame-ancestors https://app.example.com http://localhost:4321");
    expect(csp.match(/frame-ancestors/g)).toHaveLength(1);
    // The dashboard itself stays unframeable.
    const dashboard = await dash("GET", `/p/${tenant.project.id}/events`, { cookie });
    expect(dashboard.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    // The look follows the settings.
    const page = await (await get(full, "/events")).text();
    expect(page).toContain("theme-dark");
    expect(page).toContain('data-parent-origins="https://app.example.com http://localhost:4321"');
    expect(await (await get(full, "/theme.css")).text()).toContain("--accent: #aa3300");
    const change = (await storedEvents(tenant.project.id)).find((e) => e.type === "embed_settings.updated");
    expect(change?.category).toBe("configuration");
  });

  it("ends an organisation's sessions from Settings", async () => {
    const victim = await openViewer({});
    const owner = await createMember(tenant, "owner");
    const cookie = await signIn(owner);
    const response = await dash("POST", `/p/${tenant.project.id}/settings/embedding/revoke`, {
      cookie,
      form: { organization_id: "org_9" },
    });
    expect(await (await followRedirect(response, cookie)).text()).toMatch(/Ended \d+ viewer session/);
    expect((await get(victim, "/events")).status).toBe(401);
    const rows = await env.DB.prepare(
      "SELECT count(*) AS n FROM viewer_sessions WHERE organization_id = 'org_9' AND revoked_at IS NULL AND session_expires_at > ?",
    )
      .bind(Date.now())
      .first<number>("n");
    expect(rows).toBe(0);
  });
});

describe("the element", () => {
  it("is served for any site to load, and checks the origin of the messages it takes", async () => {
    const response = await dash("GET", "/embed/viewer.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("javascript");
    expect(response.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
    const js = await response.text();
    expect(js).toContain('customElements.define("trailbook-viewer"');
    expect(js).toContain("event.origin !== this.origin");
  });
});
