import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn, wallIn } from "./browser";

const FORM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

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

  it("links a time bar into the explorer with dates its form shows, so Apply keeps the range", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/analytics?range=7d`);
    // The newest bucket's integration part: it holds an_0, stored a moment ago.
    const over = 'figure:has(figcaption:text-is("Events over time, by category"))';
    const href = await page.$$eval(`${over} svg a[href*="range=custom"][href*="category=integration"]`, (links) =>
      links.at(-1)?.getAttribute("href"),
    );
    if (!href) throw new Error("no integration bar");
    await page.click(`${over} a[href="${href}"]`);
    await page.waitForURL(/range=custom/);
    const asked = new URL(page.url()).searchParams;
    expect(asked.get("from")).toMatch(FORM_TIME);
    expect(asked.get("to")).toMatch(FORM_TIME);
    expect(await page.inputValue('input[name="from"]')).toBe(asked.get("from"));
    expect(await page.inputValue('input[name="to"]')).toBe(asked.get("to"));
    const rows = await page.$$eval("tbody#rows tr[data-event-id]", (r) =>
      r.map((x) => x.getAttribute("data-event-id")),
    );
    expect(rows).toContain("an_0");
    await page.click('button:has-text("Apply")');
    await page.waitForLoadState("networkidle");
    const after = new URL(page.url()).searchParams;
    expect([after.get("range"), after.get("from"), after.get("to")]).toEqual([
      "custom",
      asked.get("from"),
      asked.get("to"),
    ]);
    expect(
      await page.$$eval("tbody#rows tr[data-event-id]", (r) => r.map((x) => x.getAttribute("data-event-id"))),
    ).toEqual(rows);
  });

  it("counts a bar's events as the explorer it links to does, to the edge of the bucket", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    const over = 'figure:has(figcaption:text-is("Events over time, by category"))';
    const parts = async () => {
      await page.goto(`${project}/analytics?range=7d`);
      return page.$$eval(`${over} svg a[href*="category=integration"]`, (links) =>
        links.map((a) => ({ href: a.getAttribute("href") ?? "", title: a.querySelector("title")?.textContent ?? "" })),
      );
    };
    // A full bucket in the past; one event in the last half second it covers, one on its end.
    const bar = (await parts()).at(-3);
    const to = new URL(bar?.href ?? "", base).searchParams.get("to") ?? "";
    const guess = Date.parse(`${to}Z`);
    const end =
      guess -
      (Date.parse(`${wallIn(new Date(guess).toISOString(), "Europe/Berlin").replace(" ", "T")}Z`) - guess) +
      1000;
    await postEvents(base, inject("apiKey"), [
      { id: "edge_in", type: "edge.tick", category: "integration", occurred_at: new Date(end - 500).toISOString() },
      { id: "edge_out", type: "edge.tick", category: "integration", occurred_at: new Date(end).toISOString() },
    ]);
    const same = (await parts()).find((p) => p.href === bar?.href);
    const counted = /: (\d+) of/.exec(same?.title ?? "")?.[1];
    expect(Number(counted)).toBeGreaterThan(0);
    await page.click(`${over} a[href="${same?.href}"]`);
    await page.waitForURL(/range=custom/);
    await expect.poll(() => page.textContent("#counter")).toBe(`${counted} ${counted === "1" ? "event" : "events"}`);
    const ids = await page.$$eval("tbody#rows tr[data-event-id]", (r) => r.map((x) => x.getAttribute("data-event-id")));
    expect(ids).toContain("edge_in");
    expect(ids).not.toContain("edge_out");
  });

  it("applies a typed From date as a custom range", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/events?type=conversion`);
    expect(await page.$$eval("tbody#rows tr[data-event-id]", (r) => r.length)).toBe(4);
    // Five and a half hours ago, in the project's zone (Berlin) as the input takes it.
    const from = new Date(Date.now() - 5.5 * 3600_000);
    // Seconds the input keeps (a browser drops ":00").
    from.setUTCSeconds(30);
    const berlin = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Berlin",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .format(from)
      .replace(" ", "T");
    await page.fill('input[name="from"]', berlin);
    await page.click("#counter");
    await page.waitForURL(/range=custom/);
    expect(new URL(page.url()).searchParams.get("from")).toBe(berlin);
    expect(await page.inputValue('input[name="from"]')).toBe(berlin);
    // conversion events are an_0, an_3, an_6, an_9 hours ago: two are newer than 5.5 hours.
    expect(
      await page.$$eval("tbody#rows tr[data-event-id]", (r) => r.map((x) => x.getAttribute("data-event-id"))),
    ).toEqual(["an_0", "an_3"]);
  });

  it("draws readable axes, status bars in the badges' colours, exact numbers on hover, round buckets", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/analytics?range=7d`);
    // Every label at least 12 px as drawn, whatever the chart's scale.
    const sizes = await page.$$eval("figure.chart svg text", (texts) =>
      texts.map((t) => {
        const svg = t.closest("svg") as SVGSVGElement;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Number.parseFloat(getComputedStyle(t).fontSize) * scale;
      }),
    );
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    // Each chart fits its card at 1280 px: no scroll box hides the longest bar's number.
    const hidden = await page.$$eval("figure.chart", (figures) => figures.map((f) => f.scrollWidth - f.clientWidth));
    expect(Math.max(...hidden)).toBeLessThanOrEqual(1);
    const values = await page.$$eval("figure.chart svg text.value", (texts) =>
      texts.map((t) => {
        const figure = (t.closest("figure") as HTMLElement).getBoundingClientRect();
        return figure.right - t.getBoundingClientRect().right;
      }),
    );
    expect(values.length).toBeGreaterThan(3);
    expect(Math.min(...values)).toBeGreaterThan(0);
    // The value axis names its numbers; the time axis its buckets, which start on round hours.
    const ticks = await page.$$eval("figure:first-of-type svg text.axis", (t) => t.map((x) => x.textContent ?? ""));
    expect(ticks).toContain("0");
    const times = ticks.filter((t) => /^\d{2}-\d{2} /.test(t));
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (const t of times) expect(t).toMatch(/ (00|06|12|18):00$/);

    const status = 'figure:has(figcaption:text-is("Status")) svg';
    const fill = (label: string) =>
      page.$eval(`${status} a[href*="status=${label}"] rect`, (r) => getComputedStyle(r).fill);
    expect(await fill("failure")).toBe("rgb(198, 47, 47)");
    expect(await fill("success")).toBe("rgb(29, 127, 70)");
    const title = await page.$eval(
      'figure:has(figcaption:text-is("Top event types")) svg a[href*="type=sales_entry"] title',
      (t) => t.textContent,
    );
    expect(title).toBe("sales_entry: 8 events");
    await page.goto(`${project}/events?view=integration&status=failure`);
    expect(await page.$eval("tbody#rows .badge.bad", (b) => getComputedStyle(b).color)).toBe("rgb(198, 47, 47)");
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
    const badge = await page.textContent('header a.notifications[href$="/notifications"]');
    expect(badge).toMatch(/Notifications \(\d+\)/);
    // With the badge's count too, the header fits one row of 1280 px: nothing pushed off the edge.
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const menu = await page.locator("details.user summary").boundingBox();
    expect((menu?.x ?? 0) + (menu?.width ?? 0)).toBeLessThanOrEqual(1280);
    expect((await page.locator("header.topbar").boundingBox())?.height).toBeLessThan(70);
    // Room to spare between the sections and the right-hand group, for a longer count or name.
    const nav = await page.locator("nav.topnav").boundingBox();
    const who = await page.locator("header .who").boundingBox();
    expect((who?.x ?? 0) - ((nav?.x ?? 0) + (nav?.width ?? 0))).toBeGreaterThanOrEqual(24);
    await row.locator('button:has-text("Archive")').click();
    await expect.poll(() => page.locator('tr:has-text("Browser test key")').count()).toBe(0);
    await page.goto(`${project}/notifications?archived=1`);
    expect(await page.locator('tr:has-text("Browser test key")').count()).toBe(1);
  });
});
