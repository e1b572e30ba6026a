import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, newPage, postEvents, screenshot, signIn, totpNow } from "./browser";

// Changes answer Post/Redirect/Get: the address bar never holds a POST URL, a reload never repeats
// a change, a one-time secret shows once after the redirect, and what cannot be undone asks first.

const base = inject("baseUrl");
const project = `${base}/p/${inject("projectId")}`;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

async function owner(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const page = await newPage(browser, undefined, options);
  await signIn(page, base, inject("email"), inject("password"));
  return page;
}

const count = (page: Page, selector: string) => page.locator(selector).count();

async function eventsOfType(type: string): Promise<number> {
  const response = await fetch(`${base}/v1/events?type=${type}&limit=100`, {
    headers: { Authorization: `Bearer ${inject("apiKey")}` },
  });
  return ((await response.json()) as { data: unknown[] }).data.length;
}

describe("changes in a real browser", () => {
  it("shows a new API key once after the redirect, and revokes only after a confirmation", async () => {
    const page = await owner();
    await page.goto(`${project}/settings/api-keys`);
    await page.fill('input[name="name"]', "Once key");
    await page.click('button:has-text("Create key")');
    await page.waitForSelector(".secret");
    expect(page.url()).toBe(`${project}/settings/api-keys`);
    const secret = await page.textContent(".secret");
    expect(secret).toMatch(/^tb_/);
    const keys = await count(page, 'tr:has-text("Once key")');
    expect(keys).toBe(1);
    await page.reload();
    // Shown once: a reload neither shows it again nor makes another key.
    expect(await count(page, ".secret")).toBe(0);
    expect(await count(page, 'tr:has-text("Once key")')).toBe(1);

    const row = page.locator('tr:has-text("Once key")');
    await row.locator('summary:has-text("Revoke")').click();
    expect(await row.locator(".confirm-step").textContent()).toContain('Revoke "Once key"?');
    await row.locator('button:has-text("Yes, revoke")').click();
    await page.waitForSelector('.alert:has-text("Key revoked.")');
    expect(page.url()).toBe(`${project}/settings/api-keys`);
    await screenshot(page, "api-key-revoked");
    const revocations = await eventsOfType("api_key.revoked");
    await page.reload();
    expect(await count(page, '.alert:has-text("Key revoked.")')).toBe(0);
    expect(await eventsOfType("api_key.revoked")).toBe(revocations);
    const check = await fetch(`${base}/v1/events?limit=1`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(check.status).toBe(401);
  });

  it("asks before revoking without JavaScript too", async () => {
    const page = await owner({ javaScriptEnabled: false });
    await page.goto(`${project}/settings/api-keys`);
    await page.fill('input[name="name"]', "No-script key");
    await page.click('button:has-text("Create key")');
    await page.waitForSelector(".secret");
    const row = page.locator('tr:has-text("No-script key")');
    await row.locator('summary:has-text("Revoke")').click();
    await row.locator('button:has-text("Yes, revoke")').click();
    await page.waitForSelector('.alert:has-text("Key revoked.")');
    expect(page.url()).toBe(`${project}/settings/api-keys`);
  });

  it("removes an endpoint after a confirmation without JavaScript too", async () => {
    const page = await owner({ javaScriptEnabled: false });
    await page.goto(`${project}/settings/webhooks`);
    await page.fill('input[name="url"]', "https://hooks.example.com/no-script");
    await page.fill('input[name="event_types"]', "noscript.*");
    await page.click('button:has-text("Add endpoint")');
    await page.waitForSelector(".secret");
    await page.click('summary:has-text("Remove endpoint")');
    expect(await page.textContent("details[open] .confirm-step")).toContain("https://hooks.example.com/no-script");
    await page.click('button:has-text("Yes, remove")');
    await page.waitForSelector('.alert:has-text("Endpoint removed.")');
    expect(page.url()).toBe(`${project}/settings/webhooks`);
    expect(await count(page, 'a:has-text("https://hooks.example.com/no-script")')).toBe(0);
  });

  it("saves the project settings by a redirect; a reload saves nothing again", async () => {
    const page = await owner();
    await page.goto(`${project}/settings`);
    await page.fill('input[name="retention_days"]', "400");
    await page.click('button:has-text("Save settings")');
    await page.waitForSelector('.alert:has-text("Settings saved.")');
    expect(page.url()).toBe(`${project}/settings`);
    const saves = await eventsOfType("settings.updated");
    await page.reload();
    expect(await count(page, '.alert:has-text("Settings saved.")')).toBe(0);
    expect(await page.inputValue('input[name="retention_days"]')).toBe("400");
    expect(await eventsOfType("settings.updated")).toBe(saves);
    await page.fill('input[name="retention_days"]', "365");
    await page.click('button:has-text("Save settings")');
    await page.waitForSelector('.alert:has-text("Settings saved.")');
  });

  it("removes a member only after a confirmation; a reload repeats nothing", async () => {
    const page = await owner();
    await page.goto(`${project}/settings/members`);
    await page.fill('input[name="email"]', "leaving.member@example.com");
    await page.click('button:has-text("Create invitation")');
    await page.waitForSelector(".secret");
    const link = (await page.textContent(".secret")) ?? "";
    const member = await newPage(browser);
    await member.goto(link);
    await member.fill('input[name="name"]', "Lee Leaving");
    await member.fill('input[name="password"]', "leaving-password-1");
    await member.fill('input[name="password_confirm"]', "leaving-password-1");
    await member.click('button:has-text("Create account and join")');
    await member.waitForURL(`${project}/events`);

    await page.reload();
    const row = page.locator('tr:has-text("leaving.member@example.com")');
    await row.locator('summary:has-text("Remove")').click();
    expect(await row.locator(".confirm-step").textContent()).toContain("Remove leaving.member@example.com from");
    await screenshot(page, "member-remove-confirm");
    await row.locator('button:has-text("Yes, remove")').click();
    await page.waitForSelector('.alert:has-text("Member removed.")');
    expect(page.url()).toBe(`${project}/settings/members`);
    const removals = await eventsOfType("member.removed");
    expect(removals).toBeGreaterThan(0);
    await page.reload();
    expect(await count(page, '.alert:has-text("Member removed.")')).toBe(0);
    expect(await count(page, 'tr:has-text("leaving.member@example.com")')).toBe(0);
    expect(await eventsOfType("member.removed")).toBe(removals);
    // The member lost access at once.
    const gone = await member.goto(`${project}/events`);
    expect(gone?.status()).toBe(404);
  });

  it("shows an endpoint's signing secret once, rotates and removes it after a confirmation, resends once", async () => {
    const page = await owner();
    await page.goto(`${project}/webhooks?type=nothing.at_all`);
    // The empty list says where endpoints are added.
    await page.click('.empty a:has-text("Settings → Endpoints")');
    await page.waitForURL(`${project}/settings/webhooks`);
    await page.fill('input[name="url"]', "https://hooks.example.com/prg");
    await page.fill('input[name="event_types"]', "prg.*");
    await page.click('button:has-text("Add endpoint")');
    await page.waitForSelector(".secret");
    expect(page.url()).toMatch(/\/settings\/webhooks\/whe_[a-z0-9]+$/);
    const first = await page.textContent(".secret");
    await page.reload();
    expect(await count(page, ".secret")).toBe(0);

    await page.click('summary:has-text("Rotate secret")');
    await page.click('button:has-text("Yes, rotate")');
    await page.waitForSelector(".secret");
    expect(await page.textContent(".secret")).not.toBe(first);
    expect(page.url()).not.toContain("rotate-secret");
    await page.reload();
    expect(await count(page, ".secret")).toBe(0);

    await postEvents(base, inject("apiKey"), [{ id: "prg_1", type: "prg.sent" }]);
    await page.click('a:has-text("Its sendouts")');
    await expect
      .poll(async () => {
        await page.reload();
        return count(page, "td.mono a");
      })
      .toBeGreaterThan(0);
    const list = page.url();
    expect(list).toMatch(/\/webhooks\?webhook_id=whe_/);
    await page.click("td.mono a");
    await page.waitForURL(/\/webhooks\/whs_/);
    const sendout = page.url();
    const resends = await eventsOfType("webhook.resent");
    await page.click('button:has-text("Resend")');
    await page.waitForSelector('.alert:has-text("Queued for another attempt.")');
    expect(page.url()).toBe(sendout);
    await page.reload();
    expect(await count(page, '.alert:has-text("Queued")')).toBe(0);
    expect(await eventsOfType("webhook.resent")).toBe(resends + 1);
    // The payload it sent (or will send) is on its page.
    expect(await page.textContent("#sendout-payload")).toContain('"prg_1"');

    // Resend is also a row action of the list, which it returns to with its filters.
    await page.goto(list);
    await page.click('td button:has-text("Resend")');
    await page.waitForSelector('.alert:has-text("queued for another attempt")');
    expect(page.url()).toBe(list);
    expect(await eventsOfType("webhook.resent")).toBe(resends + 2);

    await page.goto(`${project}/settings/webhooks`);
    await page.click('a:has-text("https://hooks.example.com/prg")');
    await page.click('summary:has-text("Remove endpoint")');
    await page.click('button:has-text("Yes, remove")');
    await page.waitForSelector('.alert:has-text("Endpoint removed.")');
    expect(page.url()).toBe(`${project}/settings/webhooks`);
    await page.reload();
    expect(await count(page, '.alert:has-text("Endpoint removed.")')).toBe(0);
  });

  it("sets entity links in Settings, which show under an event's summary and in its detail", async () => {
    const page = await owner();
    await page.goto(`${project}/settings`);
    await page.fill('textarea[name="links"]', "ftp://nope");
    await page.click('button:has-text("Save links")');
    await page.waitForSelector('.alert:has-text("line 1")');
    await page.fill('textarea[name="links"]', "linked_customer https://app.example.com/customers/{id}");
    await page.click('button:has-text("Save links")');
    await page.waitForSelector('.alert:has-text("Entity links saved.")');
    expect(page.url()).toBe(`${project}/settings`);
    await page.reload();
    expect(await page.inputValue('textarea[name="links"]')).toBe(
      "linked_customer https://app.example.com/customers/{id}",
    );

    await postEvents(base, inject("apiKey"), [
      {
        id: "linked_1",
        type: "linked_customer.updated",
        summary: "Customer linked",
        entity: { type: "linked_customer", id: "c/42" },
      },
    ]);
    await page.goto(`${project}/events?entity_type=linked_customer`);
    const row = page.locator('tr[data-event-id="linked_1"] .outside-links a');
    expect(await row.textContent()).toBe("View linked_customer");
    expect(await row.getAttribute("href")).toBe("https://app.example.com/customers/c%2F42");
    await page.click('tr[data-event-id="linked_1"] td:has-text("linked_customer.updated") a');
    await page.waitForSelector("#detail .outside-links a");
    expect(await page.getAttribute("#detail .outside-links a", "href")).toBe(
      "https://app.example.com/customers/c%2F42",
    );
    await screenshot(page, "entity-links");
  });

  it("sets which views members see: an unticked view stays unticked, and ticking it again restores it", async () => {
    const page = await owner();
    await page.goto(`${project}/settings`);
    const box = 'input[name="member.activity"]';
    expect(await page.isChecked(box)).toBe(true);
    await page.uncheck(box);
    await page.click('button:has-text("Save views")');
    await page.waitForSelector('.alert:has-text("Views by role saved.")');
    expect(page.url()).toBe(`${project}/settings`);
    await page.reload();
    expect(await page.isChecked(box)).toBe(false);
    expect(await page.isChecked('input[name="viewer.activity"]')).toBe(true);
    // Owners still see the view.
    await page.goto(`${project}/events?view=activity`);
    expect(await page.textContent("main")).not.toContain("not shown to your role");
    await page.goto(`${project}/settings`);
    await page.check(box);
    await page.click('button:has-text("Save views")');
    await page.waitForSelector('.alert:has-text("Views by role saved.")');
    expect(await page.isChecked(box)).toBe(true);
  });

  it("invites a partner viewer, whose URL for another organisation says it was limited to theirs", async () => {
    const page = await owner();
    await page.goto(`${project}/settings/members`);
    await page.fill('input[name="email"]', "partner.viewer@example.com");
    await page.selectOption('form.card select[name="role"]', "viewer");
    await page.fill('form.card input[name="organization_id"]', "org_p");
    await page.click('button:has-text("Create invitation")');
    await page.waitForSelector(".secret");
    expect(page.url()).toBe(`${project}/settings/members`);
    const link = (await page.textContent(".secret")) ?? "";
    await page.reload();
    expect(await count(page, ".secret")).toBe(0);
    expect(await count(page, 'tr:has-text("partner.viewer@example.com")')).toBe(1);

    await postEvents(base, inject("apiKey"), [
      { id: "org_p_1", type: "partner.seen", organization_id: "org_p" },
      { id: "org_q_1", type: "partner.seen", organization_id: "org_q" },
    ]);
    const partner = await newPage(browser);
    await partner.goto(link);
    await partner.fill('input[name="name"]', "Pat Partner");
    await partner.fill('input[name="password"]', "partner-password-1");
    await partner.fill('input[name="password_confirm"]', "partner-password-1");
    await partner.click('button:has-text("Create account and join")');
    await partner.waitForURL(`${project}/events`);
    await partner.goto(`${project}/events?type=partner.seen&organization_id=org_q`);
    expect(await partner.textContent(".alert.info")).toContain(
      "You see organisation org_p only, so the events shown are limited to it, not org_q.",
    );
    expect(
      await partner.$$eval("tbody#rows tr[data-event-id]", (r) => r.map((x) => x.getAttribute("data-event-id"))),
    ).toEqual(["org_p_1"]);
    await screenshot(partner, "partner-limited");

    // Two-step setup: a mistyped code keeps the secret and QR code the app already scanned.
    await partner.goto(`${base}/account/totp`);
    const key = ((await partner.textContent("code.secret")) ?? "").replace(/ /g, "");
    const qr = await partner.innerHTML(".qr");
    await partner.fill('input[name="code"]', "000000");
    await partner.click('button:has-text("Turn on")');
    await partner.waitForSelector('.alert.error:has-text("That code did not match; try the current code")');
    expect(((await partner.textContent("code.secret")) ?? "").replace(/ /g, "")).toBe(key);
    expect(await partner.innerHTML(".qr")).toBe(qr);
    // A reload of the setup page shows the same secret too.
    await partner.goto(`${base}/account/totp`);
    expect(((await partner.textContent("code.secret")) ?? "").replace(/ /g, "")).toBe(key);
    await partner.fill('input[name="code"]', totpNow(key));
    await partner.click('button:has-text("Turn on")');
    await partner.waitForURL(`${base}/account/recovery-codes`);
    expect(await count(partner, ".codes li")).toBe(10);
    await partner.reload();
    await partner.waitForURL(`${base}/account`);
    expect(await count(partner, ".codes li")).toBe(0);

    await partner.click('summary:has-text("Turn off two-step verification")');
    await partner.fill('.confirm-step input[name="current_password"]', "partner-password-1");
    await partner.click('.confirm-step button:has-text("Turn off two-step verification")');
    await partner.waitForSelector('.alert:has-text("Two-step verification is off.")');
    expect(partner.url()).toBe(`${base}/account`);
  }, 90_000);
});
