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

  it("signs in, shows the dashboard, signs out", async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', inject("email"));
    await page.fill('input[name="password"]', inject("password"));
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${base}/`);
    await expect.poll(() => page.locator("header").textContent()).toContain(inject("email"));
    expect(await page.locator("main").textContent()).toContain(inject("projectName"));
    await page.click(`a:has-text("${inject("projectName")}")`);
    await page.waitForURL(/\/p\/prj_[a-z0-9]+\/events$/);
    expect(await page.locator("h1").textContent()).toBe("Events");
    await screenshot(page, "dashboard");
    // Nothing the CSP blocks (htmx loads by nonce, no inline styles or scripts).
    expect(errors).toEqual([]);

    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/login\?signed_out=1$/);
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.context().close();
  });
});
