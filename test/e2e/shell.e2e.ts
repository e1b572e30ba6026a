import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SCALAR_URL, SCALAR_VERSION } from "../../src/lib/scalar";
import { launchBrowser, newPage, pageErrors, postEvents, screenshot, signIn } from "./browser";
import { bootstrapState, type DevServer, startDev, stopDev } from "./dev-server";

// Alerts, custom roles, the API reference and forgot password, clicked through as a person would.

const base = inject("baseUrl");
const project = `${base}/p/${inject("projectId")}`;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

async function openSettings(page: Page) {
  await page.goto(`${project}/events`);
  await page.click('nav.topnav a:has-text("Settings")');
  await page.waitForURL(`${project}/settings`);
}

describe("the product shell in a real browser", () => {
  it("adds an alert rule from a template, sees it fire on a posted event, and deletes it after confirming", async () => {
    const page = await newPage(browser);
    const errors = pageErrors(page);
    await signIn(page, base, inject("email"), inject("password"));
    await openSettings(page);
    await page.click('a:has-text("Alert rules")');
    await page.waitForURL(`${project}/settings/alerts`);
    await page.selectOption('select[name="template"]', "rollback_payout");
    await page.click('button:has-text("Use template")');
    await page.waitForURL(/template=rollback_payout/);
    expect(await page.inputValue('input[name="filter"]')).toBe("type:payout.* status:rollback");
    await page.click('button:has-text("Add rule")');
    await page.waitForURL(`${project}/settings/alerts?done=created`);
    expect(await page.textContent("main")).toContain("Alert rule added.");
    await screenshot(page, "alerts-list");

    await postEvents(base, inject("apiKey"), [
      // Three days old: an alert looks at what arrives, whatever its time, and the explorer's tests
      // (the last 24 hours of the same project) never see it.
      {
        type: "payout.updated",
        category: "payment",
        status: "rollback",
        summary: "Payout #9 rolled back",
        occurred_at: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      },
    ]);
    let text = "";
    for (let i = 0; i < 40 && !text.includes('Alert "Rollback payout"'); i++) {
      await page.goto(`${project}/notifications`);
      text = (await page.textContent("main")) ?? "";
      if (!text.includes('Alert "Rollback payout"')) await page.waitForTimeout(250);
    }
    expect(text).toContain('Alert "Rollback payout": 1 matching event');
    await screenshot(page, "alerts-notification");

    await page.goto(`${project}/settings/alerts`);
    await page.click('td a:has-text("Rollback payout")');
    await page.click('a:has-text("Delete rule")');
    expect(await page.textContent("h1")).toContain("Delete alert rule “Rollback payout”?");
    await page.click('button:has-text("Delete alert rule")');
    await page.waitForURL(`${project}/settings/alerts?done=deleted`);
    expect(await page.textContent("main")).toContain("No alert rules yet.");
    expect(errors).toEqual([]);
  });

  it("defines a custom role, invites someone with it, who then sees exactly what it allows", async () => {
    const page = await newPage(browser);
    await signIn(page, base, inject("email"), inject("password"));
    await openSettings(page);
    await page.click('a:has-text("Roles")');
    await page.waitForURL(`${project}/settings/roles`);
    await page.fill('input[name="name"]', "Support");
    await page.check('input[name="permissions"][value="tasks.read"]');
    await page.click('button:has-text("Create role")');
    await page.waitForURL(`${project}/settings/roles?done=created`);
    expect(await page.textContent("table")).toContain("See background tasks");

    await page.goto(`${project}/settings/members`);
    const email = `support.${randomBytes(3).toString("hex")}@example.com`;
    await page.fill('form[action$="/settings/members"] input[name="email"]', email);
    await page.selectOption('form[action$="/settings/members"] select[name="role"]', { label: "Support" });
    await page.click('button:has-text("Create invitation")');
    const link = (await page.textContent(".secret"))?.trim() ?? "";
    expect(link).toContain("/invite/");

    const guest = await browser.newContext({ ignoreHTTPSErrors: true });
    const invited = await guest.newPage();
    await invited.goto(link);
    await invited.fill('input[name="name"]', "Sam Support");
    await invited.fill('input[name="password"]', "support-password-1");
    await invited.fill('input[name="password_confirm"]', "support-password-1");
    await invited.click('button[type="submit"]');
    await invited.waitForURL(`${project}/events`);
    const nav = (await invited.textContent("nav.topnav")) ?? "";
    expect(nav).toContain("Tasks");
    expect(nav).not.toContain("Settings");
    expect(nav).not.toContain("Exports");
    await screenshot(invited, "custom-role-nav");
    const refused = await invited.goto(`${project}/settings`);
    expect(refused?.status()).toBe(403);
    expect(await invited.textContent("main")).toContain("Your role (Support) does not allow this");
    await guest.close();

    // In use, the role cannot be deleted: the confirmation says why and nothing changes.
    await page.goto(`${project}/settings/roles`);
    await page.click('td a:has-text("Support")');
    await page.click('a:has-text("Delete role")');
    await page.click('button:has-text("Delete role")');
    expect(await page.textContent("main")).toContain("still given to 1 member");
  });

  it("opens the API reference from the settings and reads the API's own document", async () => {
    const bundle = packedScalar();
    const page = await newPage(browser);
    const errors = pageErrors(page);
    // The browser here has no internet: the pinned file from the npm package stands in for the CDN,
    // byte for byte, so the page's integrity check passes only if the pinned hash is right.
    await page.route(SCALAR_URL, (route) =>
      route.fulfill({
        status: 200,
        contentType: "text/javascript",
        headers: { "Access-Control-Allow-Origin": "*" },
        body: bundle,
      }),
    );
    await signIn(page, base, inject("email"), inject("password"));
    await openSettings(page);
    await page.click('main a:has-text("API reference")');
    await page.waitForURL(`${base}/docs`);
    try {
      await page.waitForSelector("text=Alert rules", { timeout: 60_000 });
    } catch (error) {
      await screenshot(page, "api-reference-failed");
      throw new Error(`the reference did not render: ${errors.join("\n")}\n${String(error)}`);
    }
    const body = (await page.textContent("body")) ?? "";
    expect(body).toContain("Trailbook API");
    expect(body).toContain("Log streams");
    await screenshot(page, "api-reference");
    expect(errors.filter((e) => /Content Security Policy|integrity/i.test(e))).toEqual([]);
  }, 180_000);
});

/** Scalar's standalone bundle from the npm package of the pinned version (the file jsDelivr serves). */
function packedScalar(): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), "trailbook-scalar-"));
  try {
    execFileSync("npm", ["pack", `@scalar/api-reference@${SCALAR_VERSION}`, "--pack-destination", dir, "--silent"], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    execFileSync("tar", ["xzf", `scalar-api-reference-${SCALAR_VERSION}.tgz`, "package/dist/browser/standalone.js"], {
      cwd: dir,
    });
    return readFileSync(path.join(dir, "package/dist/browser/standalone.js"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("forgot password in a real browser", () => {
  let server: DevServer | undefined;
  let state = "";

  afterAll(async () => {
    if (server) await stopDev(server, "SIGTERM");
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it("asks for a link, finds it in the wrangler dev log, sets a new password once, and signs in with it", async () => {
    state = mkdtempSync(path.join(tmpdir(), "trailbook-reset-"));
    bootstrapState(state);
    server = await startDev(state, { ENVIRONMENT: "development", SECRETS_KEY: randomBytes(32).toString("hex") });
    const url = server.url;
    const page = await newPage(browser);
    await page.goto(`${url}/login`);
    await page.click('a:has-text("Forgot your password?")');
    await page.fill('input[name="email"]', "crash@example.com");
    await page.click('button:has-text("Send the link")');
    expect(await page.textContent("main")).toContain("If an account uses that address, we sent it a link");

    let link: string | undefined;
    for (let i = 0; i < 40 && !link; i++) {
      link = /password reset link for crash@example\.com: (\S+)/.exec(server.output())?.[1];
      if (!link) await page.waitForTimeout(250);
    }
    if (!link) throw new Error(`no link in the log:\n${server.output()}`);
    await page.goto(link);
    await page.fill('input[name="password"]', "a-brand-new-password");
    await page.fill('input[name="password_confirm"]', "a-brand-new-password");
    await page.click('button:has-text("Set the new password")');
    await page.waitForURL(`${url}/login?reset=1`);
    expect(await page.textContent("main")).toContain("Your password was changed");
    await signIn(page, url, "crash@example.com", "a-brand-new-password");
    await screenshot(page, "after-reset");

    const reused = await page.goto(link);
    expect(reused?.status()).toBe(400);
    expect(await page.textContent("main")).toContain("does not work any more");
  }, 240_000);
});
