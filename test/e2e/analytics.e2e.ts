import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn } from "./browser";

const base = inject("baseUrl");
const project = `${base}/p/${inject("projectId")}`;
let browser: Browser;

beforeAll(async () => {
  const events = Array.from({ length: 12 }, (_, i) => ({
    id: `an_${i}`,
    type: i % 3 ? "sales_entry" : "conversion",
    category: "integration",
    status: i % 4 ? "success" : "failure",
    occurred_at: new Date(Date.now() - i * 3600_000).toISOString(),
  }));
  await postEvents(base, inject("apiKey"), events);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

describe("analytics and notifications in a real browser", () => {
  it("follows a chart from Analytics to the filtered explorer", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/analytics?range=7d`);
    await page.waitForSelector("figure.chart svg");
    await screenshot(page, "analytics");
    // The "Top event types" bar for sales_entry.
    await page.click('figure:has(figcaption:text("Top event types")) svg a:has(text:text("sales_entry"))');
    await page.waitForURL(/\/events\?.*type=sales_entry/);
    await expect.poll(() => page.textContent("#counter")).toBe("8 events");
    const types = await page.$$eval("tbody#rows tr[data-event-id]", (rows) => rows.length);
    expect(types).toBe(8);
  });

  it("archives a notification", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/settings/api-keys`);
    await page.fill('input[name="name"]', "Browser test key");
    await page.click('button:has-text("Create key")');
    await page.waitForSelector(".secret");
    await page.goto(`${project}/notifications`);
    const row = page.locator('tr:has-text("Browser test key")');
    await expect.poll(() => row.count()).toBe(1);
    const badge = await page.textContent('nav.topnav a[href$="/notifications"]');
    expect(badge).toMatch(/Notifications \(\d+\)/);
    await row.locator('button:has-text("Archive")').click();
    await expect.poll(() => page.locator('tr:has-text("Browser test key")').count()).toBe(0);
    await page.goto(`${project}/notifications?archived=1`);
    expect(await page.locator('tr:has-text("Browser test key")').count()).toBe(1);
  });
});
