import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, pageErrors, postEvents, screenshot, signIn } from "./browser";

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
      id: "promoter_gone",
      type: "promoter.deleted",
      summary: "Promoter removed by a partner",
      actor: { id: "partner_1", type: "partner" },
      entity: { type: "promoter", id: "p_77" },
      occurred_at: new Date(now - 240_000).toISOString(),
    },
    {
      id: "api_1",
      type: "GET /v1/customers",
      category: "api_request",
      occurred_at: new Date(now - 120_000).toISOString(),
    },
    {
      id: "long_1",
      type: "report.generated",
      summary: "A long report",
      request: {
        id: "req_long",
        method: "POST",
        path: "/reports",
        body: { lines: Array.from({ length: 80 }, (_, i) => `line ${i}`) },
      },
      occurred_at: new Date(now - 180_000).toISOString(),
    },
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
    const errors = pageErrors(page);
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
    // Actors are suggested once the box is used, not sent with every page.
    expect(await page.$$eval("#actor-ids a", (o) => o.length)).toBe(0);
    await page.focus('input[name="actor_id"]');
    await expect
      .poll(() =>
        page.$$eval("#actor-ids a", (o) =>
          o.map((x) => new URL(x.getAttribute("href") ?? "", "http://x").searchParams.get("actor_id") ?? ""),
        ),
      )
      .toContain("u_42");
    // The filter bar applies on change.
    await page.selectOption('select[name="changed"]', "commission.status");
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
    await page.click("details.time-switch summary");
    await page.click('details.time-switch a:text-is("UTC")');
    await page.waitForURL(/time=utc/);
    expect(await page.textContent("tbody#rows time")).toBe(`${iso?.slice(0, 10)} ${iso?.slice(11, 19)}`);
    await page.click("details.time-switch summary");
    await page.click('details.time-switch a:has-text("Local")');
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

  it("applies filters on change with clean URLs, a status filter in every view, Clear all, and says which filter hides the rows", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(events);
    const clean = () => {
      const params = [...new URL(page.url()).searchParams];
      return params.every(([k, v]) => v !== "" && k !== "range_was");
    };
    // Real event types are grouped by entity; an API request's type is no fake `GET /v1/customers.*` group.
    const typeOptions = await page.$$eval('select[name="type"] option', (o) => o.map((x) => x.getAttribute("value")));
    expect(typeOptions).toContain("payout.*");
    expect(typeOptions).toContain("GET /v1/customers");
    expect(typeOptions.filter((v) => v?.startsWith("GET") && v.endsWith(".*"))).toEqual([]);

    await page.selectOption('select[name="type"]', "payout.updated");
    await page.waitForURL(/type=payout\.updated/);
    expect(clean()).toBe(true);
    expect((await rowIds(page)).length).toBe(30);
    // The All view has a status filter too; a status no payout has empties the list, which says why.
    expect(await page.$$eval('select[name="status"] option', (o) => o.map((x) => x.textContent))).toContain("success");
    await page.selectOption('select[name="status"]', "success");
    await page.waitForURL(/status=success/);
    expect(clean()).toBe(true);
    expect(await rowIds(page)).toEqual([]);
    expect(await page.textContent(".empty")).toContain("Rows are hidden by status: success");
    await screenshot(page, "explorer-empty");
    await page.click('.empty a:has-text("status: success")');
    await page.waitForURL((url) => !url.searchParams.has("status"));
    expect((await rowIds(page)).length).toBe(30);

    await page.click('a:has-text("Clear all")');
    await page.waitForURL(events);
    expect((await rowIds(page)).length).toBeGreaterThan(30);

    // The changed-field picker narrows to the chosen type's entity.
    await page.selectOption('select[name="type"]', "commission.updated");
    await page.waitForURL(/type=commission\.updated/);
    const changed = await page.$$eval('select[name="changed"] option', (o) => o.map((x) => x.getAttribute("value")));
    expect(changed).toContain("commission.status");
    expect(changed.filter((v) => v && !v.startsWith("commission."))).toEqual([]);
  });

  it("filters by action, actor type and entity type from the filter bar's pickers", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(events);
    const actions = await page.$$eval('select[name="action"] option', (o) => o.map((x) => x.getAttribute("value")));
    // The lifecycle actions come first, across entity types.
    expect(actions.slice(0, 4)).toEqual(["", "created", "updated", "deleted"]);
    await page.selectOption('select[name="action"]', "deleted");
    await page.waitForURL(/action=deleted/);
    expect(await rowIds(page)).toContain("promoter_gone");
    expect((await rowIds(page)).every((id) => !id?.startsWith("pay_"))).toBe(true);
    await page.selectOption('select[name="actor_type"]', "partner");
    await page.waitForURL(/actor_type=partner/);
    await page.selectOption('select[name="entity_type"]', "promoter");
    await page.waitForURL(/entity_type=promoter/);
    expect(await rowIds(page)).toEqual(["promoter_gone"]);
    const chips = await page.$$eval('[aria-label="Active filters"] a', (a) => a.map((x) => x.getAttribute("title")));
    expect(chips).toEqual(["Remove action: deleted", "Remove actor type: partner", "Remove entity type: promoter"]);
    await screenshot(page, "explorer-action-pickers");
    // Each choice is a removable chip.
    await page.click('a:has-text("action: deleted")');
    await page.waitForURL((url) => !url.searchParams.has("action"));
    expect(await page.$eval('select[name="action"]', (s) => (s as HTMLSelectElement).value)).toBe("");
    expect(await page.$eval('select[name="actor_type"]', (s) => (s as HTMLSelectElement).value)).toBe("partner");
  });

  it("keeps every filter of the URL through Apply, or says on the page what it did with it", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    // A view fixes its category; one the URL adds still shows in the form, so Apply keeps it.
    await page.goto(`${events}?view=payments&category=payment&status=failed`);
    expect(await page.inputValue('select[name="category"]')).toBe("payment");
    await page.click('button:has-text("Apply")');
    await page.waitForLoadState("networkidle");
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      view: "payments",
      category: "payment",
      status: "failed",
    });
    expect((await rowIds(page)).length).toBe(12);

    // Ids without a field of their own ride along with the form, each shown as a chip.
    await page.goto(`${events}?request_id=req_e2e`);
    expect(await page.textContent('[aria-label="Active filters"]')).toContain("request: req_e2e");
    await page.selectOption('select[name="type"]', "commission.updated");
    await page.waitForURL(/type=commission\.updated/);
    expect(new URL(page.url()).searchParams.get("request_id")).toBe("req_e2e");
    expect(await rowIds(page)).toEqual(["commission_1"]);

    // A link asking for a preset range and dates at once: the dates apply, and the page says so.
    const from = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Berlin",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    })
      .format(new Date(Date.now() - 2 * 3600_000))
      .replace(" ", "T");
    await page.goto(`${events}?type=payout.created&range=7d&from=${from}`);
    expect(await page.textContent(".alert.info")).toContain(
      "The URL asks for range 7d and for From/To dates; the From/To dates are applied.",
    );
    expect(await page.inputValue('select[name="range"]')).toBe("custom");
    expect(await page.inputValue('input[name="from"]')).toBe(from);
    expect((await rowIds(page)).length).toBe(30);

    // A parameter that is no filter is named, not dropped without a word.
    await page.goto(`${events}?type=payout.created&colour=red`);
    expect(await page.textContent(".alert.info")).toContain(
      'The URL\'s "colour" is not a filter here and was ignored.',
    );
    await screenshot(page, "explorer-notice");
  });

  it("applies the filter bar without JavaScript, with a clean URL", async () => {
    const page = await newPage(browser, undefined, { javaScriptEnabled: false });
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(events);
    // A type only this file stores (other files' events share the project).
    await page.selectOption('select[name="type"]', "report.generated");
    await page.click('button:has-text("Apply")');
    await page.waitForURL(/type=report\.generated/);
    expect([...new URL(page.url()).searchParams]).toEqual([["type", "report.generated"]]);
    expect(await rowIds(page)).toEqual(["long_1"]);
  });

  it("opens a row's detail as a drawer over the full-width table; Escape, Close and j/k work", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?view=payments`);
    const table = await page.locator("main > .table-wrap > table.data").boundingBox();
    expect(table?.width).toBeGreaterThan(1180);
    // Anywhere on the row, not only its link.
    await page.click('tr[data-event-id="pay_03"] td:nth-child(3)');
    await page.waitForSelector("#detail .detail");
    expect(page.url()).toContain("/events/pay_03");
    expect(await page.locator("main > .table-wrap > table.data").boundingBox()).toEqual(table);
    const drawer = await page.locator("#detail").boundingBox();
    expect(drawer?.x).toBeGreaterThan(500);
    expect(drawer?.y).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.closest("#detail") !== null)).toBe(true);
    await screenshot(page, "explorer-drawer");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.$("#detail .detail")).toBeNull();
    expect(new URL(page.url()).pathname).toBe(new URL(events).pathname);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-event-id"))).toBe("pay_03");

    // j and k move between rows; Enter opens; Close shuts.
    await page.keyboard.press("j");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-event-id"))).toBe("pay_04");
    await page.keyboard.press("k");
    await page.keyboard.press("k");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-event-id"))).toBe("pay_02");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#detail .detail:has-text("pay_02")');
    await page.click('#detail a:has-text("Close")');
    await expect.poll(() => page.$("#detail .detail")).toBeNull();
  });

  it("opens the detail as a full-screen sheet on a phone, and a detail page without inner scroll boxes", async () => {
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signIn(phone, base, inject("email"), inject("password"));
    await phone.goto(`${events}?view=payments`);
    await phone.click('tr[data-event-id="pay_40"] td:first-child');
    await phone.waitForSelector("#detail .detail");
    expect(await phone.locator("#detail").boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    await screenshot(phone, "explorer-sheet-390");

    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}/long_1`);
    const boxes = await page.$$eval("pre.body", (pres) => pres.map((p) => p.scrollHeight - p.clientHeight));
    expect(boxes.length).toBeGreaterThan(0);
    expect(Math.max(...boxes)).toBeLessThanOrEqual(1);
    await screenshot(page, "detail-page");
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
