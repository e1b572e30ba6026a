import { beforeAll, describe, expect, it } from "vitest";
import { FACETS } from "../../../src/db/shard/schema";
import { Timestamp } from "../../../views/components/time";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  explorerCount,
  shardOf,
  signIn,
  type Tenant,
} from "../../fixtures";

const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

const EVENTS = [
  {
    id: "c1",
    type: "commission.updated",
    lifecycle_action: "approved",
    summary: "Commission approved",
    actor: { id: "u_42", name: "Jane Doe", email: "jane@example.com", type: "team_member" },
    source: "dashboard",
    entity: { type: "commission", id: "123" },
    organization_id: "org_9",
    changes: { status: ["pending", "approved"] },
    request: { id: "req_1", method: "PATCH", path: "/api/commissions/123", status_code: 200 },
    occurred_at: ago(10),
  },
  {
    id: "c2",
    type: "commission.created",
    summary: "Commission created",
    actor: { id: "key_1", type: "api_key" },
    source: "api",
    organization_id: "org_7",
    changes: { amount_cents: [null, 1200] },
    occurred_at: ago(20),
  },
  {
    id: "p1",
    type: "payout.created",
    category: "payment",
    status: "failed",
    summary: "Payout failed",
    message: "Bank rejected",
    organization_id: "org_9",
    occurred_at: ago(30),
  },
  {
    id: "p2",
    type: "payout.updated",
    category: "payment",
    status: "complete",
    summary: "Payout complete",
    occurred_at: ago(40),
  },
  {
    id: "s1",
    type: "sales_entry",
    category: "integration",
    status: "failure",
    summary: "Sale rejected",
    message: "Missing referral code",
    occurred_at: ago(50),
  },
  {
    id: "i1",
    type: "conversion",
    category: "integration",
    status: "success",
    summary: "Conversion tracked",
    occurred_at: ago(60),
  },
  {
    id: "old",
    type: "commission.updated",
    summary: "Two days ago",
    changes: { status: ["a", "b"] },
    occurred_at: ago(2 * 24 * 60),
  },
];

let tenant: Tenant;
let cookie: string;
let base: string;

beforeAll(async () => {
  tenant = await createTenant({ timezone: "Europe/Berlin" });
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: EVENTS } }), 201);
  cookie = await signIn(await createMember(tenant, "admin"));
  base = `/p/${tenant.project.id}`;
});

async function page(query: string, headers: Record<string, string> = {}) {
  const response = await dash("GET", `${base}/events${query}`, { cookie, headers });
  const html = await response.text();
  expect(response.status, html.slice(0, 500)).toBe(200);
  return html;
}

/** The event ids of the rows in a page or fragment, in order. */
function rowIds(html: string): string[] {
  return [...html.matchAll(/<tr data-event-id="([^"]+)"/g)].map((m) => m[1] ?? "");
}

function rowMarkup(html: string, id: string): string {
  const start = html.indexOf(`<tr data-event-id="${id}"`);
  return html.slice(start, html.indexOf("</tr>", start) + 5);
}

describe("explorer filters", () => {
  it.each<[string, string, string[]]>([
    ["the default view: last 24 hours, newest first", "", ["admin_login", "c1", "c2", "p1", "p2", "s1", "i1"]],
    ["all time", "?range=all", ["admin_login", "c1", "c2", "p1", "p2", "s1", "i1", "old"]],
    ["the payments view", "?view=payments", ["p1", "p2"]],
    ["a status chip in the payments view", "?view=payments&status=failed", ["p1"]],
    ["the integration view", "?view=integration", ["s1", "i1"]],
    ["sales entries", "?view=sales", ["s1"]],
    ["type grouped by entity", "?type=commission.*&range=all", ["c1", "c2", "old"]],
    ["a changed field", "?changed=commission.status", ["c1"]],
    ["a changed field over all time", "?changed=status&range=all", ["c1", "old"]],
    ["source", "?source=api", ["c2"]],
    ["an action across entity types", "?action=created", ["c2", "p1"]],
    ["actions over all time", "?action=updated&range=all", ["c1", "p2", "old"]],
    ["actor type", "?actor_type=api_key", ["c2"]],
    ["entity type", "?entity_type=commission", ["c1"]],
    ["action in the search box", "?search=action%3Acreated+-category%3Apayment", ["c2"]],
    ["actor id", "?actor_id=u_42", ["c1"]],
    ["organisation", "?organization_id=org_9", ["c1", "p1"]],
    ["request id (a detail link)", "?request_id=req_1", ["c1"]],
    ["search over all fields", "?search=rejected", ["p1", "s1"]],
    ["search syntax in the box", `?search=${encodeURIComponent("type:payout.* -status:complete")}`, ["p1"]],
    ["search by actor", "?search=Jane+Doe&search_by=actor", ["c1"]],
    ["search by organisation", "?search=org_7&search_by=organization", ["c2"]],
    [
      "a custom range in the project's time zone",
      `?range=custom&from=${encodeURIComponent(berlin(ago(35)))}&to=${encodeURIComponent(berlin(ago(15)))}`,
      ["c2", "p1"],
    ],
    ["filters combined", "?view=payments&organization_id=org_9&range=7d", ["p1"]],
  ])("%s", async (_name, query, expected) => {
    const ids = rowIds(await page(query)).map((id) => (id.startsWith("evt_") ? "admin_login" : id));
    expect(ids).toEqual(expected);
  });

  it("shows the counter and removable chips for the active filters", async () => {
    const html = await page("?view=payments&status=failed&source=system");
    expect(await explorerCount(html, cookie)).toContain(">0 events<");
    const remove = /<a class="chip active" href="([^"]+)"[^>]*>source: system/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    expect(remove).toBe(`${base}/events?view=payments&status=failed`);
    expect(await explorerCount(await page(remove?.slice(`${base}/events`.length) ?? ""), cookie)).toContain(
      ">1 event<",
    );
  });

  it("explains a malformed search next to the box and a bad date next to the range", async () => {
    const search = await page(`?search=${encodeURIComponent('status:failure "open')}`);
    expect(search).toMatch(/id="search-error" class="field-error" role="alert">unterminated quote at column 16/);
    expect(rowIds(search)).toEqual([]);
    const range = await page("?range=custom&from=yesterday");
    expect(range).toContain("is not a date or time");
    // A value that cannot be read is named on the page, not dropped without a word.
    expect(await page("?range=forever&status=failed")).toContain(
      "Not applied: the range is not one of 24h, 7d, 30d, 90d, all, custom.",
    );
  });

  it("keeps configuration activity out of a member's view", async () => {
    const member = await signIn(await createMember(tenant, "member"));
    const html = await (await dash("GET", `${base}/events?view=configuration`, { cookie: member })).text();
    expect(html).not.toContain(">Configuration</a>");
    expect(html).toContain('aria-current="page">All</a>');
  });
});

/** The number a counter fragment shows. */
function shown(fragment: string): number {
  const text = />([\d,]+) events?</.exec(fragment)?.[1];
  if (text === undefined) throw new Error(`no count in ${fragment}`);
  return Number(text.replace(/,/g, ""));
}

/** The counter fragment as htmx asks for it; `as: null` asks without signing in. */
async function countFragment(path: string, as: string | null = cookie) {
  const response = await dash("GET", `${base}/count${path}`, {
    cookie: as ?? undefined,
    headers: { "HX-Request": "true", "HX-Target": "counter" },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("the counter", () => {
  it.each([
    ["the default view", ""],
    ["all time", "?range=all"],
    ["a preset view", "?view=payments"],
    ["a type prefix", "?type=commission.*&range=all"],
    ["a changed field", "?changed=status&range=all"],
    ["a search", "?search=rejected"],
    ["search syntax", `?search=${encodeURIComponent("type:payout.* -status:complete")}`],
    ["an organisation", "?organization_id=org_9"],
    ["filters combined", "?view=payments&organization_id=org_9&range=7d"],
    ["a view with nothing in it", "?view=payments&status=failed&source=system"],
  ])("counts exactly the rows listed for %s, after the page, not in it", async (_name, query) => {
    const html = await page(query);
    expect(html).toMatch(/<span class="counter pending" id="counter" hx-get="[^"]+" hx-trigger="load"/);
    expect(html).not.toMatch(/id="counter">[\d,]+ event/);
    expect(shown(await explorerCount(html, cookie))).toBe(rowIds(html).length);
  });

  it("is one component in the fragment and in the page without JavaScript, which the placeholder links to", async () => {
    const html = await page("?view=payments&cols=event_id&time=utc");
    const link = /id="counter"[^>]*><a href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    expect(link).toBe(`${base}/events?view=payments&time=utc&cols=event_id&count=1`);
    // The fragment's URL carries only what changes the number.
    expect(html).toContain(`hx-get="${base}/count?view=payments"`);
    const fragment = await explorerCount(html, cookie);
    expect(fragment).toBe('<span class="counter" id="counter">2 events</span>');
    const withoutJs = await page(link?.slice(`${base}/events`.length) ?? "");
    expect(withoutJs).toContain(fragment);
    expect(rowIds(withoutJs)).toEqual(["p1", "p2"]);
    // Opened directly (no htmx), the fragment's address leads to that page.
    const direct = await dash("GET", `${base}/count?view=payments`, { cookie });
    expect(direct.status).toBe(303);
    expect(direct.headers.get("Location")).toBe(`${base}/events?view=payments&count=1`);
  });

  it("counts only a partner viewer's organisation, whatever the URL says", async () => {
    const partner = await signIn(await createMember(tenant, "viewer", { organizationId: "org_9" }));
    const html = await (await dash("GET", `${base}/events?range=all`, { cookie: partner })).text();
    expect(rowIds(html)).toEqual(["c1", "p1"]);
    expect(shown(await explorerCount(html, partner))).toBe(2);
    for (const [query, expected] of [
      ["?range=all&organization_id=org_7", 2],
      // Searching by organisation is not theirs: the words are searched within their own events.
      ["?range=all&search=org_7&search_by=organization", 0],
      [`?range=all&search=${encodeURIComponent("org:org_7")}`, 0],
      [`?range=all&search=${encodeURIComponent("-org:org_9")}`, 0],
    ] as const) {
      const counted = await countFragment(query, partner);
      expect(counted.status, counted.text).toBe(200);
      expect(shown(counted.text), query).toBe(expected);
    }
  });

  it("keeps the page's permission checks: sign-in, membership, configuration activity", async () => {
    const anonymous = await countFragment("?range=all", null);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("HX-Redirect")).toMatch(/^\/login\?next=/);
    expect(anonymous.text).not.toMatch(/\d event/);

    const stranger = await signIn(await createMember(await createTenant(), "owner"));
    const outside = await countFragment("?range=all", stranger);
    expect(outside.status, outside.text).toBe(404);
    expect(outside.text).not.toMatch(/\d event/);

    const own = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: own.keys.ingest,
        body: {
          events: [
            { id: "k1", type: "api_key.revoked", category: "configuration" },
            { id: "a1", type: "user.login", category: "auth" },
          ],
        },
      }),
      201,
    );
    for (const role of ["admin", "member"] as const) {
      const as = await signIn(await createMember(own, role));
      // Asking for the configuration view does not widen a member's count either.
      const html = await (
        await dash("GET", `/p/${own.project.id}/events?view=configuration&range=all`, { cookie: as })
      ).text();
      const ids = rowIds(html);
      expect(ids.includes("k1")).toBe(role === "admin");
      expect(shown(await explorerCount(html, as))).toBe(ids.length);
    }
  });

  it("explains a filter it cannot count instead of failing, and the page does not ask for one", async () => {
    for (const [query, message] of [
      [`?search=${encodeURIComponent('status:failure "open')}`, "unterminated quote at column 16"],
      ["?range=custom&from=yesterday", "is not a date or time"],
    ] as const) {
      const counted = await countFragment(query);
      expect(counted.status, counted.text).toBe(400);
      expect(counted.text).toMatch(/^<span class="counter" id="counter"/);
      expect(counted.text).toContain(`Not counted: `);
      expect(counted.text).toContain(message);
    }
    const html = await page(`?search=${encodeURIComponent('status:failure "open')}`);
    expect(html).toContain('<span class="counter" id="counter"');
    expect(html).not.toMatch(/id="counter" hx-get/);
    // A search too long to read is left out, said so on the page, and the count is of what is listed.
    const long = `?search=${"x".repeat(2001)}&status=failed`;
    expect(await page(long)).toContain("Not applied: the search is longer than 2,000 characters.");
    expect(shown((await countFragment(long)).text)).toBe(shown((await countFragment("?status=failed")).text));
  });
});

describe("filter pickers", () => {
  it("offers actions (lifecycle first), actor types and entity types as pickers, each keeping its choice", async () => {
    const html = await page("?action=created&actor_type=api_key");
    const select = (name: string) => {
      const start = html.indexOf(`<select id="f-${name}" name="${name}">`);
      expect(start, name).toBeGreaterThan(-1);
      const markup = html.slice(start, html.indexOf("</select>", start));
      return [...markup.matchAll(/<option value="([^"]*)"( selected="")?/g)].map((m) => `${m[1]}${m[2] ? "*" : ""}`);
    };
    // Types without a dot are their own action; the lifecycle ones come first.
    expect(select("action")).toEqual(["", "created*", "updated", "login", "conversion", "sales_entry"]);
    expect(select("actor_type")).toEqual(["", "api_key*", "team_member"]);
    expect(select("entity_type")).toEqual(["", "commission"]);
    expect(html).toContain("action: created");
    expect(html).toContain("actor type: api_key");
    expect(rowIds(html)).toEqual(["c2"]);
  });

  it("lists every type even in a project with thousands of actors, and suggests ids as one types", async () => {
    const crowded = await createTenant();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: crowded.keys.ingest,
        body: { events: [{ id: "z1", type: "zebra.spotted", actor: { id: "u_1" }, organization_id: "org_1" }] },
      }),
      201,
    );
    // More actors than any page could list, straight into the tables ingest keeps: the shard's
    // actor dictionary and the project's picker values.
    const { d1, pn } = shardOf(crowded.project);
    await d1.batch([
      d1.prepare(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 4000) INSERT OR IGNORE INTO actors (actor_id, name, email) SELECT printf('bulk_%04d', i), '', '' FROM k",
      ),
      d1
        .prepare(
          "INSERT OR IGNORE INTO event_facets (pn, organization, facet, value) SELECT ?, 0, ?, id FROM actors WHERE actor_id GLOB 'bulk_*'",
        )
        .bind(pn, FACETS.actor),
    ]);
    const owner = await signIn(await createMember(crowded, "owner"));
    const html = await (await dash("GET", `/p/${crowded.project.id}/events`, { cookie: owner })).text();
    expect(html).toContain('<option value="zebra.spotted">zebra.spotted</option>');
    expect(html).not.toContain("bulk_0001");
    expect(html).toContain(`hx-get="/p/${crowded.project.id}/suggest/actor_id"`);

    const suggest = async (path: string, as = owner) => {
      const response = await dash("GET", `/p/${crowded.project.id}/suggest/${path}`, {
        cookie: as,
        headers: { "HX-Request": "true" },
      });
      const text = await response.text();
      const picked = [...text.matchAll(/<a href="[^"]*[?&](?:actor_id|organization_id)=([^"&]*)"/g)];
      return { status: response.status, text, values: picked.map((m) => decodeURIComponent(m[1] ?? "")) };
    };
    const bulk = await suggest("actor_id?actor_id=bulk_39");
    expect(bulk.status, bulk.text).toBe(200);
    expect(bulk.text).toMatch(/^<ul id="actor-ids" class="suggestions"/);
    // The first 20 of the hundred that start so, in order, each a link filtering by it.
    expect(bulk.values).toEqual(Array.from({ length: 20 }, (_, i) => `bulk_39${String(i).padStart(2, "0")}`));
    expect((await suggest("actor_id?actor_id=u_")).values).toEqual(["u_1"]);
    expect((await suggest("actor_id")).values).toHaveLength(20);
    expect((await suggest("organization_id?organization_id=org")).values).toEqual(["org_1"]);
    expect((await suggest("actor_id?actor_id=%22%3E%3Cscript%3E")).values).toEqual([]);
    expect((await suggest("actor_id?actor_id=%22%3E%3Cscript%3E")).text).not.toContain("<script>");
    expect((await suggest("type")).status).toBe(404);
    expect((await suggest("constructor")).status).toBe(404);

    // A partner viewer is offered its own organisation's actors, and no organisations.
    const partner = await signIn(await createMember(crowded, "viewer", { organizationId: "org_1" }));
    const partnerPage = await (await dash("GET", `/p/${crowded.project.id}/events`, { cookie: partner })).text();
    expect(partnerPage).not.toContain("/suggest/organization_id");
    expect((await suggest("actor_id?actor_id=u_", partner)).values).toEqual(["u_1"]);
    expect((await suggest("actor_id?actor_id=bulk", partner)).values).toEqual([]);
    expect((await suggest("organization_id?organization_id=org", partner)).values).toEqual([]);
    const stranger = await signIn(await createMember(await createTenant(), "owner"));
    expect((await suggest("actor_id", stranger)).status).toBe(404);
  });
});

describe("rows, load more and live mode", () => {
  it("pages with load more, and the fragment repeats the page's row markup exactly", async () => {
    const big = await createTenant();
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: `e${String(i).padStart(2, "0")}`,
      type: "referral.created",
      summary: `Referral ${i}`,
      occurred_at: ago(i + 1),
    }));
    await expectJson(await api("POST", "/v1/events/batch", { key: big.keys.ingest, body: { events } }), 201);
    const owner = await signIn(await createMember(big, "owner"));
    const first = await (await dash("GET", `/p/${big.project.id}/events?cols=event_id`, { cookie: owner })).text();
    const ids = rowIds(first).filter((id) => !id.startsWith("evt_"));
    expect(ids).toHaveLength(49);
    const fragmentHref = /hx-get="([^"]*\/rows\?[^"]*cursor=[^"]+)"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    if (!fragmentHref) throw new Error("no load more button");
    const fragment = await (
      await dash("GET", fragmentHref, { cookie: owner, headers: { "HX-Request": "true" } })
    ).text();
    expect(fragment).not.toContain("<html");
    expect(rowIds(fragment)).toEqual(events.slice(49).map((e) => e.id));
    expect(fragment).not.toContain("load-more");

    // Same component in both: the row for e49 looks the same in the page of the next cursor and the fragment.
    const nextPage = await (await dash("GET", fragmentHref.replace("/rows?", "/events?"), { cookie: owner })).text();
    expect(rowMarkup(fragment, "e49")).toBe(rowMarkup(nextPage, "e49"));
    expect(rowMarkup(fragment, "e49")).toContain('<td class="mono">e49</td>');
  });

  it("brings newer events in live mode, and nothing when there are none", async () => {
    const live = await page("?live=1");
    const poll = /id="poller" hx-get="([^"]+)"/.exec(live)?.[1]?.replace(/&amp;/g, "&");
    if (!poll) throw new Error("no poller");
    expect((await dash("GET", poll, { cookie, headers: { "HX-Request": "true" } })).status).toBe(204);
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: { id: "fresh", type: "user.login", category: "auth", summary: "Just now" },
      }),
      201,
    );
    const newer = await (await dash("GET", poll, { cookie, headers: { "HX-Request": "true" } })).text();
    expect(rowIds(newer)).toEqual(["fresh"]);
    expect(newer).toMatch(/id="poller"[^>]*hx-swap-oob="true"/);
  });
});

describe("detail", () => {
  it("answers htmx with the panel and a direct load with a full page", async () => {
    const panel = await (
      await dash("GET", `${base}/events/c1?view=all`, {
        cookie,
        headers: { "HX-Request": "true", "HX-Target": "detail" },
      })
    ).text();
    expect(panel).not.toContain("<html");
    expect(panel).toContain('<td class="mono">status</td><td>pending</td><td>approved</td>');
    expect(panel).toContain("All events of this request");
    expect(panel).toContain(`${base}/events?range=all&amp;request_id=req_1`);
    expect(panel).toContain(`${base}/events?range=all&amp;actor_id=u_42`);
    expect(panel).toContain(`${base}/events?range=all&amp;entity_type=commission&amp;entity_id=123`);
    expect(panel).toContain(`${base}/events?range=all&amp;organization_id=org_9`);
    const full = await page("/c1");
    expect(full).toContain("<html");
    expect(full).toContain("Back to events");
    const other = await createTenant();
    const stranger = await signIn(await createMember(other, "owner"));
    expect((await dash("GET", `/p/${other.project.id}/events/c1`, { cookie: stranger })).status).toBe(404);
  });
});

describe("time and columns", () => {
  it("shows project time by default, UTC or local on request, the others on hover", async () => {
    const iso = EVENTS[0]?.occurred_at ?? "";
    const projectHtml = await page("");
    expect(projectHtml).toContain(`>${berlin(iso).replace("T", " ")}</time>`);
    expect(projectHtml).toContain(`title="${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC"`);
    const utc = await page("?time=utc");
    expect(utc).toContain(`>${iso.slice(0, 10)} ${iso.slice(11, 19)}</time>`);
    expect(utc).toContain(`title="${berlin(iso).replace("T", " ")} Europe/Berlin"`);
    // Each cell says its own mode (app.js writes the viewer's local time into the local ones).
    expect(await page("?time=local")).toMatch(/<time datetime="[^"]+" data-mode="local"/);
  });

  it("writes the same wall times whether a zone needs Intl or not", () => {
    // A millisecond before Berlin's clocks go forward: seconds are cut, never rounded up.
    const iso = "2026-03-29T00:59:59.999Z";
    expect(String(Timestamp({ iso, mode: "project", zone: "UTC" }))).toBe(
      `<time datetime="${iso}" data-mode="project" data-project="2026-03-29 00:59:59 UTC" data-utc="2026-03-29 00:59:59 UTC" title="2026-03-29 00:59:59 UTC">2026-03-29 00:59:59</time>`,
    );
    expect(String(Timestamp({ iso, mode: "utc", zone: "Europe/Berlin" }))).toBe(
      `<time datetime="${iso}" data-mode="utc" data-project="2026-03-29 01:59:59 Europe/Berlin" data-utc="2026-03-29 00:59:59 UTC" title="2026-03-29 01:59:59 Europe/Berlin">2026-03-29 00:59:59</time>`,
    );
    expect(String(Timestamp({ iso: "2026-03-29T01:00:00Z", mode: "project", zone: "Europe/Berlin" }))).toContain(
      ">2026-03-29 03:00:00</time>",
    );
  });

  it("remembers the advanced columns chosen", async () => {
    const response = await dash("GET", `${base}/events?cols=request_id,job_id`, { cookie });
    expect(await response.text()).toContain('<th scope="col">Request ID</th>');
    const remembered =
      response.headers
        .getSetCookie()
        .find((c) => c.startsWith("tb_cols="))
        ?.split(";")[0] ?? "";
    expect(remembered).toBe("tb_cols=request_id%2Cjob_id");
    const again = await (await dash("GET", `${base}/events`, { cookie: `${cookie}; ${remembered}` })).text();
    expect(again).toContain('<th scope="col">Job ID</th>');
    const cleared = await dash("GET", `${base}/events?cols=none`, { cookie: `${cookie}; ${remembered}` });
    expect(await cleared.text()).not.toContain("Job ID</th>");
  });
});

describe("hostile content", () => {
  it("renders every user-provided string as text", async () => {
    const evil = '"><img src=x onerror=alert(1)>';
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: {
          id: "evil",
          type: "commission.updated",
          summary: `<script>alert("summary")</script>`,
          message: evil,
          actor: { name: `<b onmouseover=alert(1)>Mallory</b>`, id: "javascript:alert(1)" },
          entity: { type: "commission", id: evil, name: "javascript:alert(2)" },
          organization_id: `org"><script>alert(3)</script>`,
          changes: { "<i>field</i>": [evil, "<svg onload=alert(4)>"] },
          metadata: { note: "<iframe src=javascript:alert(5)>" },
          request: {
            id: "javascript:alert(6)",
            path: "/x?<script>",
            body: "<script>alert(7)</script>",
            response_body: { html: evil },
          },
        },
      }),
      201,
    );
    for (const html of [await page("?cols=event_id,request_id,entity_id"), await page("/evil")]) {
      expect(html).not.toMatch(/<script>alert/);
      expect(html).not.toMatch(/<img src=x/);
      expect(html).not.toMatch(/<svg onload/);
      expect(html).not.toMatch(/<iframe/);
      expect(html).not.toMatch(/<b onmouseover/);
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).toContain("&lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt;");
    }
  });
});

/** `2026-11-02T10:15:00` in Europe/Berlin for an ISO instant. */
function berlin(iso: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Europe/Berlin",
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
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}
