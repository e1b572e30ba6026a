import { beforeAll, describe, expect, it } from "vitest";
import { api, createMember, createTenant, dash, signIn, type Tenant } from "../../fixtures";

// Every page gets its frame from one renderer (src/routes/dashboard/frame.ts): the CSP nonce on its
// scripts, the signed-in user, and in a project the project's name and navigation with the page's
// own item marked current.

let tenant: Tenant;
let owner: string;

beforeAll(async () => {
  tenant = await createTenant();
  owner = await signIn(await createMember(tenant, "owner"));
  const stored = await api("POST", "/v1/events", {
    key: tenant.keys.ingest,
    body: { id: "frame_1", type: "note.added" },
  });
  expect(stored.status).toBe(201);
});

const topnav = (html: string) => /<nav class="topnav"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1];

async function page(path: string, cookie?: string) {
  const response = await dash("GET", path, { cookie });
  expect(response.status).toBe(200);
  const html = await response.text();
  // Standards mode: a page without a doctype is laid out in quirks mode.
  expect(html.startsWith("<!DOCTYPE html><html")).toBe(true);
  const nonce = /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];
  expect(nonce).toBeTruthy();
  expect(html.match(/<script [^>]*nonce="([^"]+)"/g)?.every((tag) => tag.includes(`nonce="${nonce}"`))).toBe(true);
  return html;
}

describe("the page frame", () => {
  const p = () => `/p/${tenant.project.id}`;
  const cases: [path: string, title: string, section: string, label: string][] = [
    ["/events", "Events", "/events", "Events"],
    ["/events/frame_1", "note.added", "/events", "Events"],
    ["/analytics", "Analytics", "/analytics", "Analytics"],
    ["/security", "Security", "/security", "Security"],
    ["/exports", "Exports", "/exports", "Exports"],
    ["/exports/new", "Download events", "/exports", "Exports"],
    ["/tasks", "Background tasks", "/tasks", "Tasks"],
    ["/imports", "Imports", "/imports", "Imports"],
    ["/webhooks", "Webhook sendouts", "/webhooks", "Webhooks"],
    ["/integrity", "Integrity", "/integrity", "Integrity"],
    ["/notifications", "Notifications", "/notifications", "Notifications"],
    ["/settings", "Project settings", "/settings", "Settings"],
    ["/settings/members", "Members", "/settings/members", "Members"],
    ["/settings/api-keys", "API keys", "/settings/api-keys", "API keys"],
    ["/settings/webhooks", "Webhooks", "/settings/webhooks", "Endpoints"],
  ];

  it.each(cases)("%s is titled and marks its navigation item", async (path, title, section, label) => {
    const html = await page(`${p()}${path}`, owner);
    expect(html).toContain(`<title>${title} · Test project · Trailbook</title>`);
    const nav = topnav(html) ?? "";
    expect(nav.match(/aria-current="page"/g)).toHaveLength(1);
    expect(nav).toContain(`<a href="${p()}${section}" aria-current="page">${label}</a>`);
    expect(html).toContain('<header class="topbar">');
  });

  it("shows the signed-in user without a project outside one, and no top bar before sign-in", async () => {
    const account = await page("/account", owner);
    expect(account).toContain("<title>Your account · Trailbook</title>");
    expect(account).toContain('<header class="topbar">');
    expect(topnav(account)).toBeUndefined();
    const login = await page("/login");
    expect(login).toContain("<title>Sign in · Trailbook</title>");
    expect(login).not.toContain('class="topbar"');
  });

  it("boosts the explorer's pages with htmx and gives them the time display", async () => {
    const html = await page(`${p()}/events?time=utc`, owner);
    expect(html).toContain('<body data-time="utc">');
    expect(html).toContain('<main id="main" hx-boost="true" hx-indicator="#progress">');
    const settings = await page(`${p()}/settings`, owner);
    expect(settings).toContain('<body data-time="project">');
    expect(settings).toContain('<main id="main">');
  });
});
