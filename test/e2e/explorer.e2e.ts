import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn } from "./browser";

const base = inject("baseUrl");
const events = `${base}/p/${inject("projectId")}/events`;
let browser: Browser;

const rowIds = (page: Page) =>
  page.$$eval("tbody#rows tr[data-event-id]", (rows) => rows.map((r) => r.getAttribute("data-event-id")));

beforeAll(async () => {
  const now = Date.now();
  const statuses = ["failed", "processing", "transit", "complete", "rollback"];
  await postEvents(base, inject("apiKey"), [
    ...Array.from({ length: 60 }, (_, i) => ({
      id: `pay_${String(i).padStart(2, "0")}`,
      type: i % 2 ? "payout.updated" : "payout.created",
      category: "payment",
      status: statuses[i % statuses.length],
      summary: `Payout ${i}`,
      changes: { status: ["processing", statuses[i % statuses.length]] },
      occurred_at: new Date(now - (i + 5) * 60_000).toISOString(),
    })),
    {
      id: "commission_1",
      type: "commission.updated",
      summary: "Commission approved for Acme",
      lifecycle_action: "approved",
      actor: { id: "u_42", name: "Jane Doe" },
      entity: { type: "commission", id: "123" },
      changes: { status: ["pending", "approved"] },
      request: {
        id: "req_e2e",
        method: "PATCH",
        path: "/api/commissions/123",
        status_code: 200,
        body: { status: "approved" },
        response_body: { ok: true },
      },
      occurred_at: new Date(now - 60_000).toISOString(),
    },
  ]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

describe("the explorer in a real browser", () => {
  it("filters by status chip and by changed field, opens the detail panel, walks history", async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await signIn(page, base, inject("email"), inject("password"));

    await page.goto(`${events}?view=payments`);
    await page.click('.chips a:has-text("failed")');
    await page.waitForURL(/status=failed/);
    const failed = await page.$$eval("tbody#rows tr .badge", (b) => b.map((x) => x.textContent));
    expect(failed.length).toBe(12);
    expect(new Set(failed)).toEqual(new Set(["failed"]));
    // The rows come first; htmx then loads the exact count into the placeholder.
    await expect.poll(() => page.textContent("#counter")).toBe("12 events");

    await page.click('.tabs a:has-text("All")');
    await page.waitForURL(events);
    // Actor ids are suggested once the box is used, not sent with every page.
    expect(await page.$$eval("#actor-ids option", (o) => o.length)).toBe(0);
    await page.focus('input[name="actor_id"]');
    await expect
      .poll(() => page.$$eval("#actor-ids option", (o) => o.map((x) => x.getAttribute("value"))))
      .toContain("u_42");
    await page.selectOption('select[name="changed"]', "commission.status");
    await page.click('button:has-text("Apply")');
    await page.waitForURL(/changed=commission\.status/);
    expect(await rowIds(page)).toEqual(["commission_1"]);
    await screenshot(page, "explorer");
    const listUrl = page.url();

    await page.click('tbody#rows a:has-text("commission.updated")');
    await page.waitForSelector("#detail .detail");
    expect(page.url()).toContain("/events/commission_1");
    expect(await page.textContent("#detail")).toContain("All events of this request");
    expect(await page.textContent("#detail table")).toContain("approved");
    await screenshot(page, "detail-panel");

    await page.goBack();
    await page.waitForURL(listUrl);
    await expect.poll(() => page.$("#detail .detail")).toBeNull();
    expect(await rowIds(page)).toEqual(["commission_1"]);
    await page.goForward();
    await page.waitForURL(/\/events\/commission_1/);
    await page.waitForSelector(".detail");

    // A shared URL restores the same view in a fresh browser session.
    const fresh = await newPage(browser);
    await signIn(fresh, base, inject("email"), inject("password"));
    await fresh.goto(listUrl);
    expect(await rowIds(fresh)).toEqual(["commission_1"]);
    expect(await fresh.inputValue('select[name="changed"]')).toBe("commission.status");
    await fresh.reload();
    expect(await rowIds(fresh)).toEqual(["commission_1"]);
    expect(errors).toEqual([]);
  });

  it("switches the time display and loads more rows", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?view=payments`);
    const iso = await page.getAttribute("tbody#rows time", "datetime");
    await page.click('.chips a:text-is("UTC")');
    await page.waitForURL(/time=utc/);
    expect(await page.textContent("tbody#rows time")).toBe(`${iso?.slice(0, 10)} ${iso?.slice(11, 19)}`);
    await page.click('.chips a:text-is("Local")');
    await page.waitForURL(/time=local/);
    await expect.poll(() => page.getAttribute("tbody#rows time", "data-localized")).toBe("");

    expect((await rowIds(page)).length).toBe(50);
    const before = page.url();
    await page.click('a:has-text("Load more")');
    await expect.poll(async () => (await rowIds(page)).length).toBe(60);
    expect(page.url()).toBe(before);
    expect(await page.$("#load-more")).toBeNull();
  });

  it("counts without JavaScript through the counter's link", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?view=payments&status=failed`);
    expect((await rowIds(page)).length).toBe(12);
    await page.click('#counter a:has-text("Count events")');
    await page.waitForURL(/count=1/);
    expect(await page.textContent("#counter")).toBe("12 events");
    expect((await rowIds(page)).length).toBe(12);
    await context.close();
  });

  it("fits a phone screen", async () => {
    const page = await newPage(browser, { width: 390, height: 844 });
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?view=payments`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, "explorer-390");
  });
});
