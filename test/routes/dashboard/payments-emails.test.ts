import { env } from "cloudflare:test";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { describeFilters } from "../../../src/routes/dashboard/describe";
import { compileState, parseExplorerState, stateToFilters } from "../../../src/routes/dashboard/explorer-state";
import { emailStatsQuery } from "../../../src/services/events/email-stats";
import { fieldValuesQuery } from "../../../src/services/events/facets";
import { compileFilters, scopeForAccess } from "../../../src/services/events/filters";
import { api, createMember, createTenant, dash, expectJson, explorerCount, signIn, type Tenant } from "../../fixtures";

// README "Payments and e-mails": the Payments view's payout source and program pickers and a
// payment's details; the Emails view's columns, filters and statistics; both scoped like the rest
// of the explorer (a partner viewer sees their organisation's values and e-mails only).

const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

const payout = (id: string, minutes: number, extra: Record<string, unknown>) => ({
  id,
  type: "payout.updated",
  category: "payment",
  entity: { type: "payout", id: `po_${id.slice(0, 2)}` },
  occurred_at: ago(minutes),
  ...extra,
});

const email = (id: string, minutes: number, status: string, metadata: Record<string, unknown>, org = "org_9") => ({
  id,
  type: "email.sent",
  category: "email",
  status,
  summary: `e-mail ${id}`,
  organization_id: org,
  occurred_at: ago(minutes),
  metadata,
});

const EVENTS = [
  payout("p1a", 10, {
    status: "complete",
    summary: "Payout p1 complete",
    organization_id: "org_9",
    metadata: {
      payout_source: "paypal",
      program: "Summer referral",
      amount: 125.5,
      currency: "EUR",
      member: "Acme Ltd",
    },
  }),
  payout("p1b", 20, {
    status: "processing",
    summary: "Payout p1 processing",
    organization_id: "org_9",
    metadata: {
      payout_source: "paypal",
      program: "Summer referral",
      amount: 125.5,
      currency: "EUR",
      member: "Acme Ltd",
    },
  }),
  payout("p2a", 30, {
    status: "failed",
    summary: "Payout p2 failed",
    organization_id: "org_7",
    metadata: { payout_source: "wise", program: "Loyalty Gold", amount: 40, currency: "USD" },
  }),
  // Another category's program: not a Payments value.
  { id: "a1", type: "reward.created", occurred_at: ago(35), metadata: { program: "Activity only" } },
  email("e1", 5, "delivered", {
    to: "ana@example.com",
    template: "welcome",
    delivered_at: ago(4),
    opened_at: ago(2),
  }),
  email("e2", 6, "delivered", { to: "bo@example.com", template: "welcome", delivered_at: ago(5) }),
  email("e3", 7, "bounced", { to: "cy@example.com", template: "payout_sent" }),
  email("e4", 8, "blocked", { to: "ana@example.com", template: "payout_sent" }, "org_7"),
  email("e5", 9, "pending", { to: "dee@example.com", template: "monthly_summary" }),
  { ...email("e6", 3000, "delivered", { to: "old@example.com", template: "welcome" }) },
];

let tenant: Tenant;
let cookie: string;
let partner: string;
let base: string;

beforeAll(async () => {
  tenant = await createTenant({ timezone: "Europe/Berlin" });
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: EVENTS } }), 201);
  // Another project's values never reach these pickers or figures.
  const other = await createTenant();
  await expectJson(
    await api("POST", "/v1/events/batch", {
      key: other.keys.ingest,
      body: {
        events: EVENTS.map((e) => ({
          ...e,
          metadata: { ...(e as { metadata?: object }).metadata, payout_source: "neighbour_bank" },
        })),
      },
    }),
    201,
  );
  cookie = await signIn(await createMember(tenant, "admin"));
  partner = await signIn(await createMember(tenant, "viewer", { organizationId: "org_9" }));
  base = `/p/${tenant.project.id}`;
});

async function page(query: string, as = cookie): Promise<string> {
  const response = await dash("GET", `${base}/events${query}`, { cookie: as });
  const html = await response.text();
  expect(response.status, html.slice(0, 500)).toBe(200);
  return html;
}

const rowIds = (html: string) => [...html.matchAll(/<tr data-event-id="([^"]+)"/g)].map((m) => m[1]);
const options = (html: string, name: string) => {
  const select = new RegExp(`<select id="f-${name.replace(/\./g, "\\.")}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1];
  if (select === undefined) throw new Error(`no picker ${name}`);
  return [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean);
};
/**
 * The Emails view's statistics as the page brings them: a placeholder htmx fills from the fragment
 * after the rows; the same figures as the page its no-JavaScript link loads.
 */
async function stats(query: string, as = cookie): Promise<string> {
  const html = await page(query, as);
  const href = /id="email-stats"[^>]* hx-get="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  const link = /id="email-stats"[^>]*><a href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  if (!href || !link) throw new Error(`no statistics placeholder: ${html.slice(0, 300)}`);
  const response = await dash("GET", href, { cookie: as, headers: { "HX-Request": "true" } });
  const fragment = await response.text();
  expect(response.status, fragment).toBe(200);
  const inline = await (await dash("GET", link, { cookie: as })).text();
  const figures = (text: string) =>
    text.slice(text.indexOf('<section class="card email-stats"'), text.indexOf("</section>"));
  expect(figures(inline)).toBe(figures(fragment));
  return fragment;
}

const figure = (html: string, key: string) =>
  /<dd>(?:<a [^>]*>)?([\d,]+)/.exec(html.slice(html.indexOf(`data-figure="${key}"`)))?.[1];

describe("Payments view", () => {
  it("offers the payout sources and programs of the project's payments, and filters by them", async () => {
    const html = await page("?view=payments&range=7d");
    expect(options(html, "metadata.payout_source")).toEqual(["paypal", "wise"]);
    expect(options(html, "metadata.program")).toEqual(["Loyalty Gold", "Summer referral"]);
    expect(rowIds(html)).toEqual(["p1a", "p1b", "p2a"]);

    const picked = await page("?view=payments&range=7d&metadata.payout_source=paypal");
    expect(rowIds(picked)).toEqual(["p1a", "p1b"]);
    expect(picked).toContain("payout source: paypal");
    expect(picked).toMatch(/<option value="paypal" selected="">paypal<\/option>/);
    expect(await explorerCount(picked, cookie)).toContain("2 events");

    const both = await page("?view=payments&range=7d&metadata.payout_source=paypal,wise&metadata.program=Loyalty+Gold");
    expect(rowIds(both)).toEqual(["p2a"]);
    expect(both).toContain("program: Loyalty Gold");
    // The status chips and the metadata filters hold together.
    expect(rowIds(await page("?view=payments&range=7d&metadata.payout_source=paypal&status=processing"))).toEqual([
      "p1b",
    ]);
  });

  it("shows the amount, payout source and program in the rows, and the details and status history in the detail", async () => {
    const html = await page("?view=payments&range=7d");
    expect(html).toContain("125.5 EUR");
    const detail = await (await dash("GET", `${base}/events/p1a?view=payments`, { cookie })).text();
    for (const text of ["Details", "Payout source", "paypal", "Program", "Summer referral", "Recipient", "Acme Ltd"])
      expect(detail).toContain(text);
    expect(detail).toContain("Status history");
    const history = detail.slice(detail.indexOf("Status history"));
    expect(history).toContain("(this event)");
    expect(history).toContain(`${base}/events/p1b?view=payments`);
    expect(history).not.toContain("p2a");
  });

  it("gives a partner viewer the values of their organisation's payments only", async () => {
    const html = await page("?view=payments&range=7d", partner);
    expect(options(html, "metadata.payout_source")).toEqual(["paypal"]);
    expect(options(html, "metadata.program")).toEqual(["Summer referral"]);
    expect(rowIds(await page("?view=payments&range=7d&metadata.payout_source=wise", partner))).toEqual([]);
  });

  it("keeps the metadata filters in exports, and names a bad one instead of failing", async () => {
    const parsed = parseExplorerState({ view: "payments", "metadata.program": 'Say "hi", there' }, {}, "UTC");
    const filters = stateToFilters(parsed.state, "UTC");
    expect(filters.query).toBe('category:payment metadata.program:"Say \\"hi\\", there"');
    // An export's filters in words name the field, not the syntax.
    const words = describeFilters({ query: 'category:payment metadata.payout_source:"paypal" ip:1.2.3.4' }, "UTC", now);
    expect(words.words).toEqual(["Payments", "payout source paypal", "IP 1.2.3.4"]);
    const bad = await page("?view=payments&metadata.pay%20out=x&metadata.__proto__=x");
    expect(bad).toContain("The URL&#39;s &quot;metadata.pay out&quot; is not a metadata field and was ignored.");
    const tooLong = await page(`?view=payments&metadata.program=${"x".repeat(2001)}`);
    expect(tooLong).toContain("metadata.program is longer than 2,000 characters");
    const state = parseExplorerState({ "metadata.__proto__": "x" }, {}, "UTC").state;
    expect(state.metadata).toEqual([["__proto__", "x"]]);
    expect(Object.getPrototypeOf(state.metadata)).toBe(Array.prototype);
  });

  it("reads the picker values by seeks: event_metadata's key, then each value's newest rows by seq", async () => {
    const scope = scopeForAccess(compileFilters({ category: "payment" }, "UTC"), {
      role: "viewer",
      permissions: ["events.read"],
      organizationId: "org_9",
    } as never);
    const { sql, params } = new SQLiteAsyncDialect().sqlToQuery(fieldValuesQuery(7, "payout_source", scope));
    const { results } = await env.EVENTS_1.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join("\n");
    expect(plan).toMatch(/SEARCH event_metadata USING PRIMARY KEY \(pn=\? AND key=\? AND value>\?\)/);
    expect(plan).toMatch(/SEARCH event_metadata USING PRIMARY KEY \(pn=\? AND key=\? AND value=\?\)/);
    expect(plan).toMatch(/SEARCH events USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan).not.toMatch(/^SCAN (events|event_metadata|terms)\b/m);
  });

  it("shows the request IP as an optional column", async () => {
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: {
          id: "ip1",
          type: "user.login",
          category: "auth",
          request: { ip: "198.51.100.66" },
          occurred_at: ago(1),
        },
      }),
      201,
    );
    const html = await page("?cols=request_ip&search=ip:198.51.100.66");
    expect(html).toContain('<th scope="col">IP address</th>');
    expect(rowIds(html)).toEqual(["ip1"]);
    expect(html).toContain('<td class="mono">198.51.100.66</td>');
  });
});

describe("Emails view", () => {
  it("lists recipient, e-mail type, status, created, delivered and opened", async () => {
    const html = await page("?view=emails");
    for (const header of ["Recipient", "E-mail type", "Status", "Delivered", "Opened"])
      expect(html).toContain(`<th scope="col">${header}</th>`);
    expect(rowIds(html)).toEqual(["e1", "e2", "e3", "e4", "e5"]);
    const row = html.slice(html.indexOf('data-event-id="e1"'), html.indexOf('data-event-id="e2"'));
    expect(row).toContain("ana@example.com");
    expect(row).toContain("welcome");
    expect(row.match(/<time /g)?.length).toBe(3);
  });

  it("filters by status, type and recipient", async () => {
    expect(rowIds(await page("?view=emails&status=delivered"))).toEqual(["e1", "e2"]);
    expect(rowIds(await page("?view=emails&metadata.template=payout_sent"))).toEqual(["e3", "e4"]);
    expect(rowIds(await page("?view=emails&metadata.to=ana@example.com"))).toEqual(["e1", "e4"]);
    const html = await page("?view=emails");
    expect(options(html, "metadata.template")).toEqual(["monthly_summary", "payout_sent", "welcome"]);
    expect(html).toMatch(/<input id="f-metadata\.to" name="metadata\.to" value="" placeholder="Any"/);
  });

  it("counts sent, delivered, opened, bounced, blocked and pending for the range, and by type", async () => {
    const html = await stats("?view=emails");
    const figures = Object.fromEntries(
      ["sent", "delivered", "opened", "bounced", "blocked", "pending"].map((k) => [k, figure(html, k)]),
    );
    expect(figures).toEqual({ sent: "5", delivered: "2", opened: "1", bounced: "1", blocked: "1", pending: "1" });
    // A picked status narrows the list, not the figures; a figure links to the e-mails it counts.
    const picked = await stats("?view=emails&status=bounced");
    expect(figure(picked, "sent")).toBe("5");
    expect(picked).toContain(`href="${base}/events?view=emails&amp;status=delivered"`);
    const byType = html.slice(html.indexOf("By e-mail type"));
    expect(byType).toMatch(/welcome<\/a><\/td><td class="num">2<\/td><td class="num">2<\/td><td class="num">1<\/td>/);
    // Wider range, more e-mails.
    expect(figure(await stats("?view=emails&range=7d"), "sent")).toBe("6");
    // Other views have none.
    expect(await page("?view=payments")).not.toContain("email-stats");
  });

  it("gives a partner viewer the figures of their organisation's e-mails only", async () => {
    const html = await stats("?view=emails", partner);
    expect(figure(html, "sent")).toBe("4");
    expect(figure(html, "blocked")).toBe("0");
    expect(rowIds(await page("?view=emails", partner))).toEqual(["e1", "e2", "e3", "e5"]);
  });

  it("counts through indexes: the category's over the range and event_metadata by seq, no scan", async () => {
    const state = parseExplorerState({ view: "emails" }, {}, "UTC").state;
    const compiled = compileState(state, "UTC", { role: "owner", permissions: [] } as never);
    if (!("query" in compiled)) throw new Error(compiled.error);
    const { sql, params } = new SQLiteAsyncDialect().sqlToQuery(emailStatsQuery(7, compiled.query));
    const { results } = await env.EVENTS_1.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join("\n");
    expect(plan).toMatch(/SEARCH events USING INDEX events_category \(pn=\? AND category=\? AND occurred_at>\?\)/);
    expect(plan).toMatch(/SEARCH (t|event_metadata) USING COVERING INDEX event_metadata_seq \(seq=\?/);
    expect(plan).not.toMatch(/^SCAN (events|event_metadata|terms)\b/m);
  });
});
