import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

// Debian's Chromium (apt-get install -y chromium); Playwright's own browser download cannot work here.
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
  options: { timezoneId?: string; javaScriptEnabled?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport, ...options });
  return context.newPage();
}

/** The page's script errors and console errors (a CSP refusal is one), collected as they happen. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return errors;
}

const RESULTS = path.resolve(import.meta.dirname, "../../test-results");

/** Saves a screenshot as a test artifact in test-results/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });
}

/** Signs in through the form; sign-in lands on the Events page of the last project used (or the only one). */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/p\/prj_[a-z0-9]+\/events$/);
}

/** `2026-12-01 13:52:54`: the one format of every time display, in `timeZone`. */
export function wallIn(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * Every time the page shows, as [what it shows, what it should show in `timeZone`]; and whether the
 * page's main text holds a raw ISO time (`…T…Z`) anywhere.
 */
export async function shownTimes(page: Page, timeZone: string) {
  const times = await page.$$eval("main time[datetime]", (els) =>
    els.map((el) => [el.textContent ?? "", el.getAttribute("datetime") ?? ""] as const),
  );
  // Bodies shown as they were sent (a webhook's payload, an event's JSON) keep their own ISO times.
  const text = await page.$eval("main", (main) => {
    const copy = main.cloneNode(true) as HTMLElement;
    for (const pre of copy.querySelectorAll("pre")) pre.remove();
    return copy.textContent ?? "";
  });
  return {
    pairs: times.map(([shown, iso]) => [shown, wallIn(iso, timeZone)]),
    rawIso: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z/.test(text),
  };
}

/** Stores events through the batch API with the bootstrapped admin key. */
export async function postEvents(base: string, apiKey: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${base}/v1/events/batch`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ events }),
  });
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
}

/** The current code of an authenticator app for a base32 `secret` (RFC 6238: SHA-1, 30 s, 6 digits). */
export function totpNow(secret: string): string {
  const bits = [...secret.replace(/=+$/, "").toUpperCase()]
    .map((c) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c).toString(2).padStart(5, "0"))
    .join("");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const hash = createHmac("sha1", key).update(counter).digest();
  const offset = (hash[19] ?? 0) & 15;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
