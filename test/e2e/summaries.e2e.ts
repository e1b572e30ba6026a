import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn } from "./browser";

// What exports and imports did, said in words: filters as "Payments · failed · last 7 days", an
// import's bad rows by the column they came from, never the search syntax or internal paths.

const base = inject("baseUrl");
const project = `${base}/p/${inject("projectId")}`;
let browser: Browser;

beforeAll(async () => {
  await postEvents(
    base,
    inject("apiKey"),
    // More than the direct limit (20, global-setup.ts): the export runs as a task with a page.
    // Older than a day, so the explorer's tests (last 24 hours by default) never see them.
    Array.from({ length: 21 }, (_, i) => ({
      id: `words_${i}`,
      type: "charge.failed",
      category: "payment",
      status: "failed",
      occurred_at: new Date(Date.now() - (i + 25) * 3600_000).toISOString(),
    })),
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

/** The page's main text holds no search syntax, no stored filter names and no raw ISO time. */
async function expectWords(page: Page) {
  const text = (await page.textContent("main")) ?? "";
  expect(text).not.toMatch(/query:|category:|status:|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
}

describe("summaries in words in a real browser", () => {
  it("describes an export's filters in words on its confirmation, export, list and task pages", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/events?view=payments&status=failed&range=7d`);
    await page.click('a:has-text("Download")');
    await page.waitForURL(/\/exports\/new\?/);
    const words = "Payments · failed · last 7 days";
    expect(await page.textContent(".filter-words")).toBe(words);
    await expectWords(page);

    await page.click('button:has-text("Start export")');
    await page.waitForURL(/\/exports\/exp_[a-z0-9]+$/);
    const exportPage = page.url();
    expect(await page.textContent("dl.detail-list dd")).toBe(words);
    await expectWords(page);
    await screenshot(page, "export-in-words");

    await page.goto(`${project}/exports`);
    const row = page.locator(`tr:has(a[href="${new URL(exportPage).pathname}"])`);
    expect(await row.textContent()).toContain(words);
    await expectWords(page);

    await page.goto(`${project}/tasks?type=export`);
    await page.click("main table tbody tr:first-child a");
    await page.waitForURL(/\/tasks\/tsk_/);
    expect(await page.textContent("dl.detail-list dd")).toBe(words);
    await expectWords(page);
  });

  it("names the CSV column of an import's bad rows in plain words", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/imports`);
    const csv = [
      "timestamp,event_id,type,status_code",
      `${new Date(Date.now() - 86_400_000).toISOString()},words_import_1,import.checked,200`,
      "yesterday,words_import_2,import.checked,200",
      `${new Date(Date.now() - 86_400_000).toISOString()},words_import_3,import.checked,abc`,
    ].join("\n");
    await page.setInputFiles('input[name="file"]', {
      name: "words.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`${csv}\n`),
    });
    await page.click('button:has-text("Upload and import")');
    await page.waitForURL(/\/tasks\/tsk_[a-z0-9]+$/);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.$$eval("main table tbody tr", (rows) => rows.map((r) => r.textContent ?? ""));
        },
        { timeout: 30_000 },
      )
      .toEqual([
        expect.stringContaining("Column timestamp (when it occurred): must be a real date and time"),
        expect.stringContaining("Column status_code (the response status code): should be a number"),
      ]);
    expect(await page.textContent("main")).not.toMatch(/occurred_at:|request\.status_code|Invalid input/);
    await screenshot(page, "import-errors");
    // The task and the import history say what kind of import it was and where it came from.
    expect(await page.textContent("dl.detail-list")).toContain("CSV upload · dashboard");
    await page.goto(`${project}/imports`);
    const row = await page.textContent('main table tbody tr:has-text("words.csv")');
    expect(row).toContain("CSV upload · dashboard");
  });
});
