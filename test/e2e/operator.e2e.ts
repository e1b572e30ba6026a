import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, screenshot, signIn } from "./browser";

// The operators' view of the event shards, clicked through in Chromium: the bootstrapped owner is
// the deployment's first account, so it runs the deployment.

let browser: Browser;
const base = inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe("event shards for operators", () => {
  it("finds the shards from the user menu, changes a state, and moves the project", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    // Sign-in lands in the project; the shards are in the user menu.
    await page.click("details.user summary");
    await page.click('details.user a:has-text("Event shards")');
    await page.waitForURL(`${base}/operator/shards`);
    const shards = await page.$$eval("table.data tbody tr td:first-child code", (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(shards).toEqual(["EVENTS_1", "EVENTS_2", "EVENTS_3", "EVENTS_EU_1"]);

    // Drain EVENTS_2: the page reloads by redirect and shows the new state.
    const row = page.locator("table.data tbody tr", { has: page.locator("code", { hasText: "EVENTS_2" }) });
    await row.locator('select[name="state"]').selectOption("draining");
    await row.locator('button:has-text("Set")').click();
    await page.waitForURL(/done=state/);
    await expect.poll(() => page.locator(".alert.success").textContent()).toContain("Shard state changed");
    expect(await row.locator(".badge").first().textContent()).toBe("draining");
    await row.locator('select[name="state"]').selectOption("open");
    await row.locator('button:has-text("Set")').click();
    await page.waitForURL(/done=state/);

    // Move the project to another shard of its region; reloading the result page starts nothing new.
    const current = (await page.locator('select[name="project_id"] option').first().textContent()) ?? "";
    const home = /on (EVENTS_\w+)/.exec(current)?.[1];
    const target = ["EVENTS_1", "EVENTS_2", "EVENTS_3"].find((b) => b !== home) as string;
    await page.selectOption('select[name="shard"]', target);
    await page.click('button:has-text("Move")');
    await page.waitForURL(/done=move&task=tsk_/);
    expect(await page.locator(".alert.success").textContent()).toContain("The move started");
    await page.reload();
    expect(await page.locator(".alert.success").textContent()).toContain("The move started");
    await screenshot(page, "operator-shards");

    // The move runs in the background; the project's events stay readable throughout and after.
    const count = async () => {
      const response = await fetch(`${base}/v1/events/count`, {
        headers: { Authorization: `Bearer ${inject("apiKey")}` },
      });
      return response.status;
    };
    await expect.poll(count).toBe(200);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('select[name="project_id"] option').first().textContent();
        },
        { timeout: 30_000 },
      )
      .toContain(`on ${target}`);
    await page.context().close();
  });
});
