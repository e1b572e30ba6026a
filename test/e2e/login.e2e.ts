import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, screenshot } from "./browser";

let browser: Browser;
const base = inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe("sign-in in a real browser", () => {
  it("shows an error for a wrong password", async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill('input[name="email"]', inject("email"));
    await page.fill('input[name="password"]', "not-the-password");
    await page.click('button:has-text("Sign in")');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain("Email or password is incorrect");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.context().close();
    // The failure is written into the project after the answer (waitUntil), and does get there.
    const failures = async () => {
      const response = await fetch(`${base}/v1/events?type=user.login_failed`, {
        headers: { Authorization: `Bearer ${inject("apiKey")}` },
      });
      return ((await response.json()) as { data: unknown[] }).data.length;
    };
    await expect.poll(failures).toBeGreaterThan(0);
  });

  it("signs in straight into the project's Events, switches projects from the header, signs out", async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', inject("email"));
    await page.fill('input[name="password"]', inject("password"));
    await page.click('button:has-text("Sign in")');
    // The only project's Events page, not a list with one link on it.
    await page.waitForURL(`${base}/p/${inject("projectId")}/events`);
    expect(await page.locator("h1").textContent()).toBe("Events");
    await screenshot(page, "dashboard");

    // The header: project switcher, at most seven items in one row, the user menu at the right.
    const nav = await page.$$eval("nav.topnav a", (links) =>
      links.map((a) => ({ text: a.textContent, top: Math.round(a.getBoundingClientRect().top) })),
    );
    expect(nav.map((n) => n.text)).toEqual([
      "Events",
      "Analytics",
      "Webhooks",
      "Exports & tasks",
      "Integrity",
      "Settings",
    ]);
    expect(new Set(nav.map((n) => n.top)).size).toBe(1);
    const header = await page.locator("header.topbar").boundingBox();
    expect(header?.height).toBeLessThan(70);
    const menu = await page.locator("details.user").boundingBox();
    expect((menu?.x ?? 0) + (menu?.width ?? 0)).toBeGreaterThan(1280 - 40);
    await screenshot(page, "header-1280");

    await page.click("details.projects summary");
    await page.click('details.projects a:has-text("All projects")');
    await page.waitForURL(`${base}/projects`);
    expect(await page.locator("main").textContent()).toContain(inject("projectName"));
    // Back at the root, the last project used opens again.
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/p/${inject("projectId")}/events`);
    // Nothing the CSP blocks (htmx loads by nonce, no inline styles or scripts).
    expect(errors).toEqual([]);

    await page.click("details.user summary");
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/login\?signed_out=1$/);
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.context().close();
  });

  it("lands a member of two projects on the last one used, and lists them before one was used", async () => {
    const [alpha, beta] = inject("twoProjects");
    if (!alpha || !beta) throw new Error("the second user's projects are missing");
    const page = await newPage(browser);
    const signInTwo = async () => {
      await page.goto(`${base}/login`);
      await page.fill('input[name="email"]', inject("twoEmail"));
      await page.fill('input[name="password"]', inject("twoPassword"));
      await page.click('button:has-text("Sign in")');
    };
    const signOut = async () => {
      await page.click("details.user summary");
      await page.click('button:has-text("Sign out")');
      await page.waitForURL(/\/login\?signed_out=1$/);
    };

    // No project used yet in this browser: the user picks one from the list.
    await signInTwo();
    await page.waitForURL(`${base}/`);
    expect(await page.locator("h1").textContent()).toBe("Your projects");
    await page.click(`main a:text-is("${beta.name}")`);
    await page.waitForURL(`${base}/p/${beta.id}/events`);
    await signOut();
    await signInTwo();
    await page.waitForURL(`${base}/p/${beta.id}/events`);

    // The header's switcher opens the other project, which is then the last used.
    await page.click("details.projects summary");
    await page.click(`details.projects a:text-is("${alpha.name}")`);
    await page.waitForURL(`${base}/p/${alpha.id}/events`);
    expect(await page.textContent("details.projects summary")).toBe(alpha.name);
    await screenshot(page, "project-switcher");
    await signOut();
    await signInTwo();
    await page.waitForURL(`${base}/p/${alpha.id}/events`);

    // "Your projects" stays one click away, in the user menu.
    await page.click("details.user summary");
    await page.click('details.user a:has-text("Your projects")');
    await page.waitForURL(`${base}/projects`);
    expect(await page.$$eval("main table a", (links) => links.map((a) => a.textContent))).toEqual(
      expect.arrayContaining([alpha.name, beta.name]),
    );
    await page.context().close();
  });

  it("creates a project from Your projects, lands in it, and switches back with the header's switcher", async () => {
    const [alpha] = inject("twoProjects");
    if (!alpha) throw new Error("the second user's projects are missing");
    const page = await newPage(browser);
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', inject("twoEmail"));
    await page.fill('input[name="password"]', inject("twoPassword"));
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname === "/" || url.pathname.endsWith("/events"));
    await page.goto(`${base}/projects`);
    await page.fill('form[action="/projects"] input[name="name"]', "Gamma shop");
    await page.fill('form[action="/projects"] input[name="timezone"]', "Mars/Base");
    await page.click('button:has-text("Create project")');
    await page.waitForSelector('.alert:has-text("not an IANA time zone")');
    expect(await page.inputValue('form[action="/projects"] input[name="name"]')).toBe("Gamma shop");
    await page.fill('form[action="/projects"] input[name="timezone"]', "Europe/Berlin");
    await page.click('button:has-text("Create project")');
    await page.waitForURL(/\/p\/prj_[a-z0-9]+\/events$/);
    expect(page.url()).not.toContain(alpha.id);
    expect(await page.textContent("details.projects summary")).toBe("Gamma shop");
    await screenshot(page, "project-created");
    await page.click("details.projects summary");
    await page.click(`details.projects a:text-is("${alpha.name}")`);
    await page.waitForURL(`${base}/p/${alpha.id}/events`);
    await page.click("details.projects summary");
    await page.click('details.projects a:text-is("Gamma shop")');
    await page.waitForURL(/\/p\/prj_[a-z0-9]+\/events$/);
    expect(await page.textContent("details.projects summary")).toBe("Gamma shop");
    await page.context().close();
  });
});
