import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, pageErrors, postEvents, screenshot, signIn, wallIn } from "./browser";

// A log stream to an HTTPS receiver in this process, added in the dashboard; the dev server runs
// with a 2-second settle time and 1-second stream interval (global-setup.ts), so batches arrive in
// seconds instead of a minute.

type Batch = { headers: Record<string, string>; body: string };

/** Records every batch; signatures are checked once the secret is known (the page shows it after creation). */
class StreamReceiver {
  readonly batches: Batch[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) if (typeof v === "string") headers[k] = v;
        this.batches.push({ headers, body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/trailbook`;
  }

  /** Event ids of batches whose signature verifies with `secret`; throws on any that does not. */
  verifiedIds(secret: string): string[] {
    const verifier = new Webhook(secret);
    return this.batches.flatMap((b) => {
      verifier.verify(b.body, b.headers, { jsonParse: false });
      return b.body
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

const base = inject("baseUrl");
const project = `${base}/p/${inject("projectId")}`;
let browser: Browser;
const receiver = new StreamReceiver();
let receiverUrl = "";

beforeAll(async () => {
  browser = await launchBrowser();
  receiverUrl = await receiver.start();
});

afterAll(async () => {
  await browser.close();
  await receiver.close();
});

describe("log streams in a real browser", () => {
  it("adds an HTTPS stream, sees posted events arrive signed, and the health update", async () => {
    const page = await newPage(browser);
    const errors = pageErrors(page);
    await signIn(page, base, inject("email"), inject("password"));
    await page.goto(`${project}/events`);
    await page.click('nav.topnav a:has-text("Settings")');
    await page.click('nav.section-tabs a:has-text("Log streams")');
    await page.waitForURL(`${project}/settings/streams`);
    expect(await page.textContent("main")).toContain("No log streams yet.");

    await page.fill('input[name="name"]', "Local SIEM");
    await page.selectOption('select[name="type"]', "https");
    // Only the chosen destination's fields show.
    expect(await page.isVisible('input[name="splunk_url"]')).toBe(false);
    await page.fill('input[name="https_url"]', receiverUrl);
    await page.fill('input[name="filter"]', "-category:configuration");
    await page.click('button:has-text("Add log stream")');
    await page.waitForURL(/\/settings\/streams\/lst_[a-z0-9]+\?done=created$/);
    const secret = (await page.textContent(".secret"))?.trim() ?? "";
    expect(secret).toMatch(/^whsec_/);
    const streamPage = page.url().split("?")[0] ?? "";

    const ids = Array.from({ length: 25 }, (_, i) => `stream_e2e_${String(i).padStart(2, "0")}`);
    await postEvents(
      base,
      inject("apiKey"),
      ids.map((id, i) => ({
        id,
        type: i % 2 ? "user.login" : "commission.updated",
        category: i % 2 ? "auth" : "activity",
        // Some arrive late with an old occurred_at: they are streamed in the order they arrived.
        ...(i % 5 === 0 && { occurred_at: "2020-01-01T00:00:00Z" }),
      })),
    );
    await expect
      .poll(() => receiver.verifiedIds(secret).filter((id) => id.startsWith("stream_e2e_")), { timeout: 45_000 })
      .toEqual(ids);

    // The health shows the delivery once the page is loaded again.
    await expect
      .poll(
        async () => {
          await page.goto(streamPage);
          return [await page.textContent(".stream-count"), await page.textContent(".stream-lag")];
        },
        { timeout: 20_000 },
      )
      .toEqual(["25", "up to date"]);
    // In the page's time display (the project's zone by default), like every other time.
    const delivered = await page.getAttribute(".stream-delivered time", "datetime");
    expect(await page.textContent(".stream-delivered")).toBe(wallIn(delivered ?? "", "Europe/Berlin"));
    expect(await page.textContent(".stream-error")).toBe("—");
    expect(await page.locator(".secret").count()).toBe(0);
    await screenshot(page, "log-stream");

    // Pause: events posted meanwhile wait; resume: they arrive.
    await page.click('button:has-text("Pause")');
    await page.waitForURL(/done=paused/);
    await postEvents(base, inject("apiKey"), [{ id: "stream_e2e_paused", type: "a.b" }]);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(receiver.verifiedIds(secret)).not.toContain("stream_e2e_paused");
    await page.click('button:has-text("Resume")');
    await page.waitForURL(/done=resumed/);
    await expect.poll(() => receiver.verifiedIds(secret), { timeout: 30_000 }).toContain("stream_e2e_paused");

    await page.goto(`${project}/settings/streams`);
    expect(await page.textContent("main")).toContain("Local SIEM");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
