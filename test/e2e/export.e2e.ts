import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn } from "./browser";

const base = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  const events = Array.from({ length: 30 }, (_, i) => ({
    id: `fraud_${i}`,
    type: "referral.screened",
    category: "fraud",
    status: i % 3 ? "allowed" : "blocked",
    summary: `Referral ${i} screened`,
    occurred_at: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
  }));
  await postEvents(base, inject("apiKey"), events);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

describe("exports in a real browser", () => {
  it("requests a large export, watches its progress bar finish, downloads the file", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${base}/p/${inject("projectId")}/events?view=fraud`);
    await page.click('a:has-text("Download")');
    await page.waitForURL(/\/exports\/new\?view=fraud/);
    expect(await page.textContent("form.card p strong")).toBe("30");
    await page.click('button:has-text("Start export")');
    await page.waitForURL(/\/exports\/exp_[a-z0-9]+$/);
    await page.waitForSelector("#task-progress progress");
    await screenshot(page, "export-progress");
    // The progress fragment polls until the queue consumer has finished the task, then stops.
    await page.waitForSelector('#download a:has-text("Download")', { timeout: 45_000 });
    expect(await page.getAttribute("#task-progress progress", "value")).toBe("100");
    expect(await page.getAttribute("#task-progress", "hx-get")).toBeNull();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('#download a:has-text("Download")'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^trailbook-exp_[a-z0-9]+\.csv$/);
    const rows = parse(readFileSync((await download.path()) ?? ""), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(["fraud"]));
    await screenshot(page, "export-done");
  }, 90_000);
});
