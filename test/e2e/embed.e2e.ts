import { createServer, type Server } from "node:http";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, postEvents, screenshot, signIn } from "./browser";
import { freePort } from "./dev-server";

// The embeddable viewer as a vendor uses it: a page on another origin (another site: localhost
// against Trailbook's 127.0.0.1) loads viewer.js and puts <trailbook-viewer> on it; the viewer signs
// in through the token with a SameSite=None; Secure; Partitioned cookie over plain http, which
// Chromium accepts because localhost addresses are secure contexts.

const base = inject("baseUrl");
let browser: Browser;
let host: Server;
let hostOrigin: string;
let embedUrl = "";

beforeAll(async () => {
  const now = Date.now();
  await postEvents(base, inject("apiKey"), [
    {
      id: "embed_visible_login",
      type: "viewer_e2e.login",
      summary: "Embedded visible login",
      organization_id: "org_embed_9",
      actor: { id: "u_embed_9", name: "Nina Nine" },
      occurred_at: new Date(now - 60_000).toISOString(),
    },
    {
      id: "embed_visible_update",
      type: "viewer_e2e.updated",
      summary: "Embedded visible update",
      organization_id: "org_embed_9",
      changes: { status: ["pending", "approved"] },
      occurred_at: new Date(now - 120_000).toISOString(),
    },
    {
      id: "embed_other_org",
      type: "viewer_e2e.login",
      summary: "Embedded other organisation",
      organization_id: "org_embed_7",
      occurred_at: new Date(now - 90_000).toISOString(),
    },
  ]);
  const port = await freePort();
  hostOrigin = `http://localhost:${port}`;
  host = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!DOCTYPE html><html><head><title>Vendor app</title>
<script src="${base}/embed/viewer.js"></script></head>
<body><h1>Acme admin: audit log</h1>
<trailbook-viewer src="${embedUrl}"></trailbook-viewer>
</body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(port, "127.0.0.1", resolve));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
});

async function mint(): Promise<{ id: string; url: string }> {
  const response = await fetch(`${base}/v1/viewer-tokens`, {
    method: "POST",
    headers: { Authorization: `Bearer ${inject("apiKey")}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      organization_id: "org_embed_9",
      actor: { id: "cust_e2e", name: "Carla Customer", email: "carla@acme.test" },
      permissions: ["read", "export"],
      filters: { types: ["viewer_e2e.*"] },
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; url: string };
}

describe("the embedded viewer in another site's page", () => {
  it("is framed only once the project allows the site, then signs in, filters, opens, exports and stays in its organisation", async () => {
    // The owner allows the vendor's origin under Settings → Embedding.
    const owner = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const settings = await owner.newPage();
    await signIn(settings, base, inject("email"), inject("password"));
    await settings.goto(`${base}/p/${inject("projectId")}/settings/embedding`);
    await settings.fill('textarea[name="allowed_origins"]', hostOrigin);
    await settings.selectOption('select[name="density"]', "compact");
    await settings.click('button:has-text("Save")');
    await settings.waitForSelector("text=Embedding settings saved.");
    await owner.close();

    const minted = await mint();
    embedUrl = minted.url;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    // What the browser did with the session cookie, as the network saw it.
    const sentCookies: string[] = [];
    let setCookie = "";
    page.on("request", (r) => {
      if (r.url().includes("/embed/s/")) void r.allHeaders().then((h) => sentCookies.push(h.cookie ?? ""));
    });
    page.on("response", (r) => {
      if (r.url().includes("/embed/t/")) void r.headerValue("set-cookie").then((v) => (setCookie = v ?? ""));
    });
    await page.goto(`${hostOrigin}/`);
    const viewer = page.frameLocator("trailbook-viewer iframe");
    await viewer.locator('tr[data-event-id="embed_visible_login"]').waitFor();

    // The session cookie was set inside the third-party frame, Secure over http://127.0.0.1, and
    // every later request of the frame carried it (the pages below load only with it).
    expect(setCookie).toContain("tb_viewer=");
    for (const part of ["Secure", "SameSite=None", "Partitioned", "HttpOnly", `Path=/embed/s/${minted.id}`])
      expect(setCookie).toContain(part);
    expect(sentCookies.length).toBeGreaterThan(0);
    expect(sentCookies.every((c) => c.includes("tb_viewer="))).toBe(true);

    // The element sizes the frame to its content from the frame's messages.
    await page.waitForFunction(() => {
      const frame = document.querySelector("trailbook-viewer iframe") as HTMLIFrameElement | null;
      return Boolean(frame?.style.height) && Number.parseInt(frame?.style.height ?? "0", 10) > 200;
    });
    const rows = await viewer.locator("tbody#rows tr").allTextContents();
    expect(rows.join("\n")).toContain("Embedded visible update");
    expect(rows.join("\n")).not.toContain("Embedded other organisation");
    expect(await viewer.locator(".topbar").count()).toBe(0);
    expect(await viewer.locator('a[href^="/p/"]').count()).toBe(0);
    await screenshot(page, "embed-list");

    // Filter: the type picker (limited to the token's types) narrows the list.
    await viewer.locator('select[name="type"]').selectOption("viewer_e2e.updated");
    await viewer.locator('tr[data-event-id="embed_visible_login"]').waitFor({ state: "detached" });
    expect(await viewer.locator("tbody#rows").textContent()).toContain("Embedded visible update");

    // Open the detail.
    await viewer.locator('tr[data-event-id="embed_visible_update"] a[data-detail]').first().click();
    await viewer.locator("#detail .detail").waitFor();
    expect(await viewer.locator("#detail").textContent()).toContain("embed_visible_update");
    await screenshot(page, "embed-detail");
    await viewer.locator("#detail [data-close]").first().click();

    // Export what the filters show; the file holds only this organisation's events.
    await viewer.locator('a:has-text("Download")').first().click();
    await viewer.locator('form button:has-text("Download")').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      viewer.locator('form button:has-text("Download")').click(),
    ]);
    const file = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(file as Buffer[]).toString("utf8");
    expect(text).toContain("embed_visible_update");
    expect(text).not.toContain("embed_other_org");

    // Another organisation's event, whatever the URL says, is not there.
    const frame = page.frames().find((f) => f.url().includes(`/embed/s/${minted.id}`));
    if (!frame) throw new Error("no viewer frame");
    const other = await frame.goto(`${base}/embed/s/${minted.id}/events/embed_other_org?organization_id=org_embed_7`);
    expect(other?.status()).toBe(404);
    expect(await frame.textContent("body")).not.toContain("Embedded other organisation");
    await context.close();
  }, 120_000);

  it("cannot be framed by a site the project does not list", async () => {
    const minted = await mint();
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked = new Promise<string>((resolve) => {
      page.on("console", (m) => {
        if (/frame-ancestors|Refused to frame/i.test(m.text())) resolve(m.text());
      });
    });
    // 127.0.0.1 on the vendor's port is another origin than the allowed localhost one.
    embedUrl = minted.url;
    await page.goto(hostOrigin.replace("localhost", "127.0.0.1"));
    expect(await Promise.race([blocked, new Promise((r) => setTimeout(() => r("timeout"), 10_000))])).toMatch(
      /frame-ancestors|Refused to frame/i,
    );
    await context.close();
  }, 60_000);
});
