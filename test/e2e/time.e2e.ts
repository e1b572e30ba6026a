import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, shownTimes, signIn } from "./browser";

// The project is in Europe/Berlin (test/e2e/global-setup.ts); this browser is in New York, so
// project time, UTC and local time differ by hours and every cell tells which one it shows.

const base = inject("baseUrl");
const project = `${base}/p/${inject("projectId")}`;
const list = `${project}/events?type=clock.ticked`;
const LOCAL = "America/New_York";
const PROJECT = "Europe/Berlin";
let browser: Browser;

beforeAll(async () => {
  const now = Date.now();
  await postEvents(
    base,
    inject("apiKey"),
    Array.from({ length: 55 }, (_, i) => ({
      id: `tick_${String(i).padStart(2, "0")}`,
      type: "clock.ticked",
      summary: `Tick ${i}`,
      occurred_at: new Date(now - (i * 23 + 7) * 60_000 - 4321).toISOString(),
    })),
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

const chip = (page: Page) => page.textContent("details.time-switch summary");

/** Every time on the page reads as `zone`'s wall clock, and none is a raw ISO string. */
async function expectTimesIn(page: Page, zone: string) {
  await expect
    .poll(async () => {
      const { pairs, rawIso } = await shownTimes(page, zone);
      return { all: pairs.length > 0 && pairs.every(([shown, wanted]) => shown === wanted), rawIso };
    })
    .toEqual({ all: true, rawIso: false });
}

/** The chip says Local, every time on the page is in the local zone, and none is raw ISO text. */
async function expectPageTimesLocal(page: Page, where: string) {
  expect(await chip(page), where).toBe(`Local (${LOCAL})`);
  const { pairs, rawIso } = await shownTimes(page, LOCAL);
  expect(rawIso, where).toBe(false);
  for (const [shown, wanted] of pairs) expect(shown, where).toBe(wanted);
}

async function pickTime(page: Page, label: string) {
  await page.click("details.time-switch summary");
  await page.click(`details.time-switch .menu a:has-text("${label}")`);
}

describe("the time display in a real browser", () => {
  it("switches every timestamp at once and the chip always says which time the cells show", async () => {
    const page = await newPage(browser, undefined, { timezoneId: LOCAL });
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(list);
    await expectTimesIn(page, PROJECT);
    expect(await chip(page)).toBe(`Project (${PROJECT})`);

    // A boosted swap keeps <body>: the cells must not depend on anything outside them.
    await pickTime(page, "Local");
    await page.waitForURL(/time=local/);
    await expectTimesIn(page, LOCAL);
    expect(await chip(page)).toBe(`Local (${LOCAL})`);
    await screenshot(page, "time-local");

    await pickTime(page, "UTC");
    await page.waitForURL(/time=utc/);
    await expectTimesIn(page, "UTC");
    expect(await chip(page)).toBe("UTC");

    await page.goBack();
    await page.waitForURL(/time=local/);
    await expectTimesIn(page, LOCAL);
    expect(await chip(page)).toBe(`Local (${LOCAL})`);
    await page.goForward();
    await page.waitForURL(/time=utc/);
    await expectTimesIn(page, "UTC");

    // A direct load, then the rows "Load more" brings.
    await page.goto(`${list}&time=local`);
    await expectTimesIn(page, LOCAL);
    expect(await chip(page)).toBe(`Local (${LOCAL})`);
    expect(await page.$$eval("tbody#rows tr[data-event-id]", (r) => r.length)).toBe(50);
    await page.click('a:has-text("Load more")');
    await expect.poll(() => page.$$eval("tbody#rows tr[data-event-id]", (r) => r.length)).toBe(55);
    await expectTimesIn(page, LOCAL);

    // Live mode: new rows arrive in the same display.
    await page.goto(`${list}&time=local&live=1`);
    await postEvents(base, inject("apiKey"), [
      { id: "tick_live", type: "clock.ticked", summary: "Tick live", occurred_at: new Date().toISOString() },
    ]);
    await page.waitForSelector('tbody#rows tr[data-event-id="tick_live"]', { timeout: 20_000 });
    await expectTimesIn(page, LOCAL);
    expect(await chip(page)).toBe(`Local (${LOCAL})`);
  }, 90_000);

  it("shows every page's times in the chosen display, never as raw ISO strings", async () => {
    const page = await newPage(browser, undefined, { timezoneId: LOCAL });
    await signIn(page, base, inject("email"), inject("password"));
    // Something to list on each page: a key (and its notification), an invitation, an export and
    // its task, a webhook endpoint and a sendout.
    await page.goto(`${project}/settings/api-keys`);
    await page.fill('input[name="name"]', "Clock key");
    await page.click('button:has-text("Create key")');
    await page.goto(`${project}/settings/members`);
    await page.fill('input[name="email"]', "clock.watcher@example.com");
    await page.click('button:has-text("Create invitation")');
    await page.waitForSelector(".secret");
    await page.goto(`${project}/settings/webhooks`);
    await page.fill('input[name="url"]', "https://hooks.example.com/clock");
    await page.fill('input[name="event_types"]', "clock.*");
    await page.click('button:has-text("Add endpoint")');
    await page.waitForSelector(".secret");
    await postEvents(base, inject("apiKey"), [{ id: "tick_hook", type: "clock.ticked", summary: "Tick for a hook" }]);
    const exported = await fetch(`${base}/v1/exports`, {
      method: "POST",
      headers: { Authorization: `Bearer ${inject("apiKey")}`, "Content-Type": "application/json" },
      body: JSON.stringify({ format: "csv", filters: { type: "clock.ticked" } }),
    });
    expect(exported.status).toBeLessThan(300);

    // The choice made once holds on every page, as the chip says.
    await page.goto(`${list}&time=local`);
    for (const path of [
      "/tasks",
      "/exports",
      "/imports",
      "/webhooks",
      "/notifications",
      "/settings/api-keys",
      "/settings/members",
      "/settings/webhooks",
      "/integrity",
      "/security",
      "/settings/streams",
      "/events/tick_hook",
    ]) {
      await page.goto(`${project}${path}`);
      await expectPageTimesLocal(page, path);
      if (!["/imports", "/integrity", "/settings/webhooks", "/security", "/settings/streams"].includes(path))
        expect((await shownTimes(page, LOCAL)).pairs.length, path).toBeGreaterThan(0);
    }
    // The detail pages behind the lists: a task, an export, a sendout; and the account's sessions.
    for (const [list, link] of [
      ["/tasks", 'main a[href*="/tasks/tsk_"]'],
      ["/exports", 'main a[href*="/exports/exp_"]'],
    ] as const) {
      await page.goto(`${project}${list}`);
      await page.click(link);
      await page.waitForLoadState("load");
      await expectPageTimesLocal(page, page.url());
      expect((await shownTimes(page, LOCAL)).pairs.length, page.url()).toBeGreaterThan(1);
    }
    await expect
      .poll(async () => {
        await page.goto(`${project}/webhooks`);
        return page.locator('main a[href*="/webhooks/whs_"]').count();
      })
      .toBeGreaterThan(0);
    await page.click('main a[href*="/webhooks/whs_"]');
    await page.waitForURL(/\/webhooks\/whs_/);
    await expectPageTimesLocal(page, page.url());
    await page.goto(`${base}/account`);
    await expectPageTimesLocal(page, "/account");
    expect((await shownTimes(page, LOCAL)).pairs.length).toBeGreaterThan(0);
    await page.goto(`${project}/events/tick_hook`);
    // The detail's "Received" is a time like "Occurred".
    expect(await page.textContent("main")).toContain("Received");
    await screenshot(page, "time-detail-page");

    await page.goto(`${project}/tasks?time=project`);
    const { pairs } = await shownTimes(page, PROJECT);
    for (const [shown, wanted] of pairs) expect(shown).toBe(wanted);
    expect(await chip(page)).toBe(`Project (${PROJECT})`);
  }, 90_000);
});
