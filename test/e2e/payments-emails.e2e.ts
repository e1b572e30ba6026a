import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn } from "./browser";

// README "Payments and e-mails" in a real browser: the Payments view's pickers and the Emails
// view's filters and statistics; after every click the rows, the chips, the counter and the
// figures agree. The events lie 8–9 days back, out of the other files' default 24 hours and 7 days.

const base = inject("baseUrl");
const events = `${base}/p/${inject("projectId")}/events`;
let browser: Browser;

const DAY = 86_400_000;
const at = (i: number) => new Date(Date.now() - 8 * DAY - i * 60_000).toISOString();
const SOURCES = ["e2e_paypal", "e2e_wise", "e2e_bank"];
const PROGRAMS = ["E2E Spring", "E2E Summer"];
const STATUSES = ["delivered", "delivered", "bounced", "blocked", "pending"];
const TEMPLATES = ["e2e_welcome", "e2e_payout_sent"];

const rowIds = (page: Page) =>
  page.$$eval("tbody#rows tr[data-event-id]", (rows) => rows.map((r) => r.getAttribute("data-event-id")));
/** The text of one column of every row, by its header. */
const column = (page: Page, header: string) =>
  page.$eval(
    "tbody#rows",
    (rows, name) => {
      const heads = [...(rows.closest("table")?.querySelectorAll("thead th") ?? [])];
      const index = heads.findIndex((th) => th.textContent === name);
      return [...rows.querySelectorAll("tr")].map((tr) => tr.children[index]?.textContent ?? "");
    },
    header,
  );
const chips = (page: Page) =>
  page.$$eval('[aria-label="Active filters"] a', (as) => as.map((a) => a.firstChild?.textContent?.trim()));
/** A figure of the statistics, which htmx loads after the rows. */
const figure = (page: Page, key: string) => page.textContent(`#email-stats:not(.pending) [data-figure="${key}"] dd`);

beforeAll(async () => {
  await postEvents(base, inject("apiKey"), [
    ...Array.from({ length: 12 }, (_, i) => ({
      id: `e2e_pay_${i}`,
      type: "payout.updated",
      category: "payment",
      status: ["complete", "processing", "failed"][i % 3],
      summary: `E2E payout ${i}`,
      entity: { type: "payout", id: `po_e2e_${i % 6}` },
      metadata: {
        payout_source: SOURCES[i % 3],
        program: PROGRAMS[i % 2],
        amount: 10 + i,
        currency: "EUR",
        member: `Member ${i % 6}`,
      },
      occurred_at: at(i),
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      id: `e2e_mail_${i}`,
      type: "email.sent",
      category: "email",
      status: STATUSES[i % 5],
      summary: `E2E e-mail ${i}`,
      metadata: {
        to: `person${i % 4}@example.com`,
        template: TEMPLATES[i % 2],
        ...(STATUSES[i % 5] === "delivered" && { delivered_at: at(i - 0.5) }),
        ...(i === 0 && { opened_at: at(i - 1) }),
      },
      occurred_at: at(i),
    })),
  ]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

describe("Payments and Emails views in a real browser", () => {
  it("filters payments by the payout source and program pickers; rows, chips and counter agree", async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?view=payments&range=30d`);
    const offered = await page.$$eval('select[name="metadata.payout_source"] option', (o) =>
      o.map((x) => x.textContent),
    );
    expect(offered).toEqual(expect.arrayContaining(["Any", ...SOURCES]));

    await page.selectOption('select[name="metadata.payout_source"]', "e2e_wise");
    await page.waitForURL(/metadata\.payout_source=e2e_wise/);
    expect(await rowIds(page)).toEqual(["e2e_pay_1", "e2e_pay_4", "e2e_pay_7", "e2e_pay_10"]);
    expect(new Set(await column(page, "Payout source"))).toEqual(new Set(["e2e_wise"]));
    expect(await chips(page)).toEqual(["payout source: e2e_wise"]);
    await expect.poll(() => page.textContent("#counter")).toBe("4 events");

    await page.selectOption('select[name="metadata.program"]', "E2E Spring");
    await page.waitForURL(/metadata\.program=E2E\+Spring/);
    expect(await rowIds(page)).toEqual(["e2e_pay_4", "e2e_pay_10"]);
    expect(new Set(await column(page, "Program"))).toEqual(new Set(["E2E Spring"]));
    expect(await chips(page)).toEqual(["payout source: e2e_wise", "program: E2E Spring"]);
    await expect.poll(() => page.textContent("#counter")).toBe("2 events");
    expect(await page.inputValue('select[name="metadata.payout_source"]')).toBe("e2e_wise");
    await screenshot(page, "payments-pickers");

    // Removing a chip removes its filter, and the picker follows.
    await page.click('[aria-label="Active filters"] a:has-text("payout source")');
    await page.waitForURL((url) => !url.search.includes("payout_source"));
    expect(await chips(page)).toEqual(["program: E2E Spring"]);
    expect(await page.inputValue('select[name="metadata.payout_source"]')).toBe("");
    const spring = await rowIds(page);
    expect(spring.filter((id) => id?.startsWith("e2e_pay_"))).toEqual([
      "e2e_pay_0",
      "e2e_pay_2",
      "e2e_pay_4",
      "e2e_pay_6",
      "e2e_pay_8",
      "e2e_pay_10",
    ]);
    expect(new Set(await column(page, "Program"))).toEqual(new Set(["E2E Spring"]));

    // A payment's details and status history in the drawer.
    await page.click('tbody#rows tr[data-event-id="e2e_pay_4"] a:has-text("payout.updated")');
    await page.waitForSelector("#detail .detail");
    const detail = (await page.textContent("#detail")) ?? "";
    for (const text of ["Payout source", "e2e_wise", "Program", "E2E Spring", "Amount", "14", "Recipient", "Member 4"])
      expect(detail).toContain(text);
    expect(detail).toContain("Status history");
    expect(await page.$$eval("#detail table tbody tr", (rows) => rows.length)).toBeGreaterThanOrEqual(2);
    await screenshot(page, "payment-detail");
    expect(errors).toEqual([]);
  });

  it("shows e-mails with their statistics, filtered by status, type and recipient", async () => {
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?view=emails&range=30d`);
    const figures = async () =>
      Object.fromEntries(
        await Promise.all(
          ["sent", "delivered", "opened", "bounced", "blocked", "pending"].map(async (k) => [k, await figure(page, k)]),
        ),
      );
    expect(await figures()).toEqual({
      sent: "10",
      delivered: "4",
      opened: "1",
      bounced: "2",
      blocked: "2",
      pending: "2",
    });
    expect((await rowIds(page)).length).toBe(10);
    const first = await page.textContent('tbody#rows tr[data-event-id="e2e_mail_0"]');
    expect(first).toContain("person0@example.com");
    expect(first).toContain("e2e_welcome");
    expect(await page.$$eval('tbody#rows tr[data-event-id="e2e_mail_0"] time', (t) => t.length)).toBe(3);
    await screenshot(page, "emails");

    // A figure opens the e-mails it counts; the status chip and the rows agree.
    await page.click('[data-figure="bounced"] a');
    await page.waitForURL(/status=bounced/);
    expect(await rowIds(page)).toEqual(["e2e_mail_2", "e2e_mail_7"]);
    expect(new Set(await column(page, "Status"))).toEqual(new Set(["bounced"]));
    expect(await page.getAttribute('[aria-label="Status"] a[aria-current="true"]', "href")).toContain("status=bounced");
    await expect.poll(() => figure(page, "sent")).toBe("10");

    await page.selectOption('select[name="metadata.template"]', "e2e_payout_sent");
    await page.waitForURL(/metadata\.template=e2e_payout_sent/);
    expect(await rowIds(page)).toEqual(["e2e_mail_7"]);
    await expect.poll(() => figure(page, "sent")).toBe("5");
    expect(await chips(page)).toEqual(["status: bounced", "e-mail type: e2e_payout_sent"]);

    await page.goto(`${events}?view=emails&range=30d`);
    await page.fill('input[name="metadata.to"]', "person1@example.com");
    await page.press('input[name="metadata.to"]', "Enter");
    await page.waitForURL(/metadata\.to=person1%40example\.com/);
    expect(await rowIds(page)).toEqual(["e2e_mail_1", "e2e_mail_5", "e2e_mail_9"]);
    expect(new Set(await column(page, "Recipient"))).toEqual(new Set(["person1@example.com"]));
    await expect.poll(() => figure(page, "sent")).toBe("3");
    expect(await chips(page)).toEqual(["recipient: person1@example.com"]);
    expect(errors).toEqual([]);
  });
});
