import { beforeAll, describe, expect, it } from "vitest";
import { notify, UNREAD_COUNTED, unreadCountQuery } from "../../../src/services/notifications/notify";
import { api, createMember, createTenant, dash, signIn, systemContext, type Tenant } from "../../fixtures";

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
  // Six top-level items at most; the rest are tabs of their section, marked on their own page.
  const cases: [path: string, title: string, section: string, label: string, tab: string | null][] = [
    ["/events", "Events", "/events", "Events", null],
    ["/events/frame_1", "note.added", "/events", "Events", null],
    ["/analytics", "Analytics", "/analytics", "Analytics", null],
    ["/security", "Security", "/settings", "Settings", "Security"],
    ["/exports", "Exports", "/exports", "Exports &amp; tasks", "Exports"],
    ["/exports/new", "Download events", "/exports", "Exports &amp; tasks", "Exports"],
    ["/tasks", "Background tasks", "/exports", "Exports &amp; tasks", "Tasks"],
    ["/imports", "Imports", "/exports", "Exports &amp; tasks", "Imports"],
    ["/webhooks", "Webhook sendouts", "/webhooks", "Webhooks", null],
    ["/integrity", "Integrity", "/integrity", "Integrity", null],
    ["/notifications", "Notifications", "", "", null],
    ["/settings", "Project settings", "/settings", "Settings", "Project"],
    ["/settings/members", "Members", "/settings", "Settings", "Members"],
    ["/settings/api-keys", "API keys", "/settings", "Settings", "API keys"],
    ["/settings/webhooks", "Webhooks", "/settings", "Settings", "Endpoints"],
  ];

  it.each(cases)("%s is titled and marks its navigation item", async (path, title, section, label, tab) => {
    const html = await page(`${p()}${path}`, owner);
    expect(html).toContain(`<title>${title} · Test project · Trailbook</title>`);
    const nav = topnav(html) ?? "";
    expect(nav.match(/<a /g)).toHaveLength(6);
    if (section) {
      expect(nav.match(/aria-current="page"/g)).toHaveLength(1);
      expect(nav).toContain(`<a href="${p()}${section}" aria-current="page">${label}</a>`);
    } else {
      expect(nav).not.toContain("aria-current");
      expect(html).toContain(`<a class="notifications" href="${p()}/notifications" aria-current="page">`);
    }
    const tabs = /<nav class="tabs section-tabs"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1];
    if (tab)
      expect(tabs).toContain(
        `<a href="${p()}${path === "/exports/new" ? "/exports" : path}" aria-current="page">${tab}</a>`,
      );
    else expect(tabs).toBeUndefined();
    expect(html).toContain('<header class="topbar">');
    // The project switcher names the project and leads to the list of all projects.
    expect(html).toContain('<a href="/projects">All projects…</a>');
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

  it("boosts the explorer's pages with htmx; every page carries the time display in each time and the switch", async () => {
    const html = await page(`${p()}/events?time=utc`, owner);
    expect(html).toContain('<main id="main" hx-boost="true" hx-indicator="#progress">');
    // The mode is on each cell, not on <body> (which a boosted swap keeps).
    expect(html).toContain('<body><div id="progress"');
    expect(html).toMatch(/<time datetime="[^"]+" data-mode="utc"/);
    expect(html).toContain('<summary class="chip" title="Time display">UTC</summary>');
    const settings = await page(`${p()}/settings`, owner);
    expect(settings).toContain('<main id="main">');
    expect(settings).toContain(`<a class="chip" href="${p()}/settings?time=local" data-local-zone="">Local</a>`);
  });

  it("counts unread notifications into the badge up to 99, then says 99+", async () => {
    const project = await createTenant();
    const member = await createMember(project, "member");
    const cookie = await signIn(member);
    const badge = async () => {
      const html = await page(`/p/${project.project.id}/events`, cookie);
      return /Notifications(?: \(([^)]+)\))?/.exec(html)?.[1];
    };
    const ctx = systemContext();
    const add = async (n: number, from: number) => {
      for (let i = from; i < from + n; i++)
        await notify(ctx, {
          projectId: project.project.id,
          userId: member.userId,
          type: "export.ready",
          title: `#${i}`,
        });
    };
    expect(await badge()).toBeUndefined();
    await add(UNREAD_COUNTED, 0);
    expect(await badge()).toBe(String(UNREAD_COUNTED));
    await add(1, UNREAD_COUNTED);
    expect(await badge()).toBe(`${UNREAD_COUNTED}+`);
    await add(30, UNREAD_COUNTED + 1);
    expect(await badge()).toBe(`${UNREAD_COUNTED}+`);
    // The count reads no further than it shows.
    expect(await unreadCountQuery(ctx.db, project.project.id, { userId: member.userId })).toEqual([
      { n: UNREAD_COUNTED + 1 },
    ]);
    // The notifications page counts the same way.
    expect(await page(`/p/${project.project.id}/notifications`, cookie)).toContain(
      `Notifications (${UNREAD_COUNTED}+)`,
    );
  });
});
