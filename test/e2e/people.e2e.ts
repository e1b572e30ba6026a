import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, pageErrors, postEvents, screenshot, signIn } from "./browser";

// People and organisations by name in a real browser (README "The dashboard", actor and
// organisation boxes): typing in the actor box suggests actors by the start of a name, picking one
// filters by its id, and the rows and the chips then agree.

const base = inject("baseUrl");
const events = `${base}/p/${inject("projectId")}/events`;
let browser: Browser;

const rowIds = (page: Page) =>
  page.$$eval("tbody#rows tr[data-event-id]", (rows) => rows.map((r) => r.getAttribute("data-event-id")));

beforeAll(async () => {
  const now = Date.now();
  const at = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
  await postEvents(base, inject("apiKey"), [
    ...[1, 2, 3].map((i) => ({
      id: `people_janice_${i}`,
      type: "promoter.updated",
      summary: `Promoter ${i} updated by Janice`,
      actor: { id: "u_janice_e2e", type: "team_member", name: "Janice Quill", email: "janice.quill@example.org" },
      organization_id: "org_people_e2e",
      metadata: { organization_name: "Quillworks" },
      occurred_at: at(10 + i),
    })),
    {
      id: "people_janusz",
      type: "promoter.updated",
      summary: "Promoter updated by Janusz",
      actor: { id: "u_janusz_e2e", type: "team_member", name: "Janusz Brzęczyszczykiewicz" },
      occurred_at: at(20),
    },
    {
      id: "people_other",
      type: "promoter.updated",
      summary: "Promoter updated by Paul",
      actor: { id: "u_paul_e2e", name: "Paul Other" },
      occurred_at: at(21),
    },
  ]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

describe("people and organisations by name", () => {
  it("types Jan in the actor box, picks Janice, and the rows and chips agree", async () => {
    const page = await newPage(browser);
    const errors = pageErrors(page);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?range=7d`);

    await page.click('input[name="actor_id"]');
    await page.keyboard.type("Jan", { delay: 40 });
    // The first focus lists the project's first actors; the list for "Jan" ends with its search link.
    await page.locator('#actor-ids a:has-text("Every actor matching “Jan”")').waitFor();
    // Suggested by the start of a word of the name, with the address and the id beside it.
    const offered = await page.$$eval("#actor-ids a", (links) => links.map((a) => a.textContent ?? ""));
    expect(offered).toContain("Janice Quilljanice.quill@example.org · u_janice_e2e");
    expect(offered.some((t) => t.startsWith("Janusz Brzęczyszczykiewicz"))).toBe(true);
    expect(offered.some((t) => t.includes("Paul"))).toBe(false);
    await screenshot(page, "people-suggestions");

    // Picked from the keyboard: the arrows walk from the box into its suggestions, Enter follows one.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("ArrowDown");
      if ((await page.evaluate(() => document.activeElement?.textContent ?? "")).includes("Janice Quill")) break;
    }
    expect(await page.evaluate(() => document.activeElement?.textContent ?? "")).toContain("Janice Quill");
    await page.keyboard.press("Enter");
    await page.waitForURL(/actor_id=u_janice_e2e/);
    expect(new URL(page.url()).searchParams.get("range")).toBe("7d");
    await expect.poll(() => rowIds(page)).toEqual(["people_janice_1", "people_janice_2", "people_janice_3"]);
    const actors = await page.$$eval("tbody#rows tr[data-event-id]", (rows) => rows.map((r) => r.textContent ?? ""));
    for (const row of actors) expect(row).toContain("Janice Quill");
    const chips = await page.$$eval('[aria-label="Active filters"] a', (a) => a.map((x) => x.textContent ?? ""));
    expect(chips.some((c) => c.includes("actor: Janice Quill (u_janice_e2e)"))).toBe(true);
    await expect.poll(() => page.textContent("#counter")).toBe("3 events");
    expect(await page.inputValue('input[name="actor_id"]')).toBe("u_janice_e2e");

    // The organisation box finds the name an event gave it, and its chip names it.
    await page.click('input[name="organization_id"]');
    await page.keyboard.type("quill", { delay: 40 });
    await page.locator('#organization-ids a:has-text("Every organisation matching “quill”")').waitFor();
    await page.locator('#organization-ids a:has-text("Quillworks")').click();
    await page.waitForURL(/organization_id=org_people_e2e/);
    await expect.poll(() => rowIds(page)).toEqual(["people_janice_1", "people_janice_2", "people_janice_3"]);
    const both = await page.$$eval('[aria-label="Active filters"] a', (a) => a.map((x) => x.textContent ?? ""));
    expect(both.some((c) => c.includes("organisation: Quillworks (org_people_e2e)"))).toBe(true);
    await screenshot(page, "people-filtered");
    expect(errors).toEqual([]);
  });

  it("without script, a name typed in the actor box searches by actor", async () => {
    const page = await newPage(browser, undefined, { javaScriptEnabled: false });
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${events}?range=7d`);
    await page.fill('input[name="actor_id"]', "janu");
    await page.click('button:has-text("Apply")');
    await page.waitForURL(/search_by=actor/);
    expect(await rowIds(page)).toEqual(["people_janusz"]);
    expect(await page.inputValue('input[name="search"]')).toBe("janu");
  });
});
