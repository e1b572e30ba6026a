import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createDb } from "../../../src/db/client";
import { analytics } from "../../../src/services/analytics/summary";
import { BURST_WINDOW_MS } from "../../../src/services/ingest/security-rules";
import { sendNotificationEmails } from "../../../src/services/mail/notification-emails";
import {
  addTerms,
  api,
  createMember,
  createTenant,
  dash,
  expectJson,
  explorerCount,
  projectContext,
  recountDays,
  shardOf,
  signIn,
  storedEvents,
  systemContext,
  type Tenant,
  termSql,
} from "../../fixtures";

const _db = createDb(env.DB);
// Alerts are deduplicated per ten-minute window of occurred_at, so the failures start at a
// window's start: "once per window" must not depend on the minute the suite runs.
const base = Math.floor((Date.now() - 3600_000) / BURST_WINDOW_MS) * BURST_WINDOW_MS;

async function failures(
  tenant: Tenant,
  n: number,
  options: { actor?: string; ip?: string; start?: number; spacing?: number; prefix?: string },
) {
  const events = Array.from({ length: n }, (_, i) => ({
    id: `${options.prefix ?? "f"}${i}`,
    type: "user.login_failed",
    category: "auth",
    status: "failure",
    occurred_at: new Date((options.start ?? base) + i * (options.spacing ?? 60_000)).toISOString(),
    ...(options.actor && { actor: { id: options.actor, email: `${options.actor}@example.com` } }),
    ...(options.ip && { request: { ip: options.ip } }),
  }));
  for (const event of events)
    await expectJson(await api("POST", "/v1/events", { key: tenant.keys.ingest, body: event }), 201);
}

async function alerts(tenant: Tenant): Promise<{ type: string; title: string }[]> {
  return (
    await env.DB.prepare(
      "SELECT type, title FROM notifications WHERE project_id = ? AND type LIKE 'security.%' ORDER BY created_at",
    )
      .bind(tenant.project.id)
      .all<{ type: string; title: string }>()
  ).results;
}

describe("failed sign-in rule", () => {
  it("fires exactly at the fifth failure for one actor within ten minutes, once per window", async () => {
    const tenant = await createTenant();
    await failures(tenant, 4, { actor: "u_1" });
    expect(await alerts(tenant)).toEqual([]);
    await failures(tenant, 1, { actor: "u_1", start: base + 4 * 60_000, prefix: "g" });
    expect(await alerts(tenant)).toEqual([
      { type: "security.failed_logins", title: "5 failed sign-ins for u_1@example.com within 10 minutes" },
    ]);
    await failures(tenant, 1, { actor: "u_1", start: base + 5 * 60_000, prefix: "h" });
    expect(await alerts(tenant)).toHaveLength(1);
  });

  it("does not fire when the failures are spread out, or for another project's events, and counts by address too", async () => {
    const spread = await createTenant();
    await failures(spread, 6, { actor: "u_2", spacing: 3 * 60_000 });
    expect(await alerts(spread)).toEqual([]);

    const mine = await createTenant();
    const other = await createTenant();
    await failures(other, 4, { actor: "u_3", ip: "198.51.100.9" });
    await failures(mine, 1, { actor: "u_3", ip: "198.51.100.9", start: base + 4 * 60_000 });
    expect(await alerts(mine)).toEqual([]);
    expect(await alerts(other)).toEqual([]);

    const byIp = await createTenant();
    for (let i = 0; i < 5; i++)
      await failures(byIp, 1, { actor: `u_${i}`, ip: "203.0.113.99", start: base + i * 1000, prefix: `ip${i}_` });
    expect((await alerts(byIp)).map((a) => a.title)).toEqual([
      "5 failed sign-ins for address 203.0.113.99 within 10 minutes",
    ]);
    // Its link lists the address's failures.
    const alert = await env.DB.prepare("SELECT link FROM notifications WHERE project_id = ? AND type = ?")
      .bind(byIp.project.id, "security.failed_logins")
      .first<{ link: string }>();
    expect(alert?.link).toContain("search=ip%3A203.0.113.99");
    const owner = await signIn(await createMember(byIp, "owner"));
    const html = await (
      await dash("GET", `${alert?.link.replace("range=24h", "range=all")}`, { cookie: owner })
    ).text();
    expect([...html.matchAll(/<tr data-event-id="ip\d_/g)]).toHaveLength(5);
  });

  it("watches Trailbook's own sign-ins", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant, "member");
    for (let i = 0; i < 5; i++)
      await dash("POST", "/login", { form: { email: member.email, password: `wrong-${i}-password` } });
    // A failed sign-in is recorded after the answer (README "Throttling").
    await vi.waitFor(async () => expect((await alerts(tenant)).map((a) => a.type)).toContain("security.failed_logins"));
  });
});

describe("other rules and notifications", () => {
  it("raises API key and unusually large export alerts", async () => {
    const tenant = await createTenant();
    const owner = await signIn(await createMember(tenant, "owner"));
    await dash("POST", `/p/${tenant.project.id}/settings/api-keys`, {
      cookie: owner,
      form: { name: "CI", scope: "read" },
    });
    expect((await alerts(tenant)).map((a) => a.type)).toEqual(["security.api_key"]);
    for (let i = 0; i < 3; i++) {
      await env.DB.prepare(
        "INSERT INTO exports (id, project_id, task_id, format, gzip, filters, scope, file_key, row_count, created_by, created_by_name, created_at, expires_at) VALUES (?, ?, 't', 'csv', 0, '{}', '{}', 'k', 100, 'u', 'u', ?, ?)",
      )
        .bind(`exp_old${i}`, tenant.project.id, Date.now() - 1000 + i, Date.now() + 86400_000)
        .run();
    }
    await addTerms(tenant.project, [
      ["category", "activity"],
      ["type", "a.b"],
    ]);
    const { d1, pn } = shardOf(tenant.project);
    await d1
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
       INSERT INTO events (pn, occurred_at, received_at, category, type, data, hash)
       SELECT ?1, ?2, ?2, ${termSql("category", "activity")}, ${termSql("type", "a.b")}, json_object('id', 'bulk' || i), zeroblob(32) FROM n`,
      )
      .bind(pn, Date.now() - 1000)
      .run();
    await recountDays(tenant.project);
    await expectJson(await api("POST", "/v1/exports", { key: tenant.keys.read, body: { format: "csv" } }), 202);
    expect((await alerts(tenant)).map((a) => a.type)).toContain("security.large_export");
  });

  it("keeps notifications, badges and e-mail choices per member and project, and records each e-mail", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const a = await createMember(tenant, "admin");
    const b = await createMember(tenant, "admin");
    const cookieA = await signIn(a);
    const cookieB = await signIn(b);
    await dash("POST", `/p/${tenant.project.id}/notifications/subscriptions`, {
      cookie: cookieA,
      form: { type: "security.api_key" },
    });
    const page = await (await dash("GET", `/p/${tenant.project.id}/notifications`, { cookie: cookieA })).text();
    expect(page).toMatch(/value="security.api_key" checked/);
    expect(await (await dash("GET", `/p/${tenant.project.id}/notifications`, { cookie: cookieB })).text()).not.toMatch(
      /value="security.api_key" checked/,
    );

    await dash("POST", `/p/${tenant.project.id}/settings/api-keys`, {
      cookie: cookieB,
      form: { name: "Importer", scope: "ingest" },
    });
    expect(await (await dash("GET", `/p/${tenant.project.id}/events`, { cookie: cookieA })).text()).toContain(
      "Notifications (1)",
    );
    await dash("POST", `/p/${tenant.project.id}/notifications/archive`, { cookie: cookieA });
    expect(await (await dash("GET", `/p/${tenant.project.id}/events`, { cookie: cookieA })).text()).not.toContain(
      "Notifications (1)",
    );
    expect(await (await dash("GET", `/p/${tenant.project.id}/events`, { cookie: cookieB })).text()).toContain(
      "Notifications (1)",
    );

    expect(await sendNotificationEmails(systemContext())).toBeGreaterThanOrEqual(1);
    expect(await sendNotificationEmails(systemContext())).toBe(0);
    const emails = (await storedEvents(tenant.project.id)).filter((e) => e.type === "email.sent");
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      category: "email",
      status: "pending",
      metadata: { to: a.email, notification_type: "security.api_key" },
    });
    expect((await storedEvents(other.project.id)).filter((e) => e.type === "email.sent")).toEqual([]);

    const list = await expectJson<{ data: { id: string }[] }>(
      await api("GET", "/v1/notifications", { key: tenant.keys.read }),
      200,
    );
    expect(list.data).toHaveLength(1);
    await expectJson(
      await api("POST", `/v1/notifications/${list.data[0]?.id}/archive`, { key: tenant.keys.read }),
      200,
    );
    expect(
      (await expectJson<{ data: unknown[] }>(await api("GET", "/v1/notifications", { key: tenant.keys.read }), 200))
        .data,
    ).toHaveLength(0);
    expect(
      (await expectJson<{ data: unknown[] }>(await api("GET", "/v1/notifications", { key: tenant.keys.admin }), 200))
        .data,
    ).toHaveLength(1);
    expect(
      (await expectJson<{ data: unknown[] }>(await api("GET", "/v1/notifications", { key: other.keys.read }), 200))
        .data,
    ).toHaveLength(0);
  });
});

describe("analytics", () => {
  it("matches counts computed independently, and its links open the same events", async () => {
    const tenant = await createTenant();
    const now = Date.now();
    const events = [
      ...Array.from({ length: 7 }, (_, i) => ({
        type: "commission.updated",
        category: "activity",
        actor: { id: "u_1", name: "Jane" },
        occurred_at: new Date(now - i * 3600_000).toISOString(),
      })),
      ...Array.from({ length: 4 }, (_, i) => ({
        type: "GET /v1/x",
        category: "api_request",
        status: i % 2 ? "failure" : "success",
        request: { status_code: i % 2 ? 500 : 200 },
        occurred_at: new Date(now - i * 7200_000).toISOString(),
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        type: "user.login",
        category: "auth",
        status: "success",
        actor: { id: "u_2" },
        occurred_at: new Date(now - i * 60_000).toISOString(),
      })),
      { type: "old.event", occurred_at: new Date(now - 10 * 24 * 3600_000).toISOString() },
    ];
    await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } }), 201);
    const from = now - 7 * 24 * 3600_000;
    const data = await analytics(
      projectContext(tenant.project),
      { from, to: now + 1000, conditions: [], text: [] },
      6 * 3600_000,
    );
    const { d1, pn } = shardOf(tenant.project);
    const count = async (where: string) =>
      (
        await d1
          .prepare(
            `SELECT count(*) AS n FROM events WHERE pn = ? AND occurred_at >= ? AND occurred_at < ? AND ${where}`,
          )
          .bind(pn, from, now + 1000)
          .first<{ n: number }>()
      )?.n;
    expect(data.total).toBe(await count("1"));
    for (const c of data.categories) expect(c.count).toBe(await count(`category = ${termSql("category", c.category)}`));
    expect(data.topTypes[0]).toEqual({ type: "commission.updated", count: 7 });
    expect(data.topActors[0]).toMatchObject({ actorId: "u_1", count: 7 });
    expect(data.auth).toEqual([{ type: "user.login", status: "success", count: 3 }]);
    expect(data.apiErrors.reduce((n, r) => n + r.failed, 0)).toBe(
      await count(`category = ${termSql("category", "api_request")} AND status = ${termSql("status", "failure")}`),
    );
    expect(data.overTime.reduce((n, r) => n + r.count, 0)).toBe(data.total);
    // Buckets are whole numbers within the range, so the chart can place every bar.
    expect(data.overTime.every((r) => Number.isInteger(r.bucket) && r.bucket >= 0 && r.bucket <= 28)).toBe(true);
    const newest = data.overTime.filter((r) => r.bucket >= 27).reduce((n, r) => n + r.count, 0);
    expect(newest).toBe(await count(`occurred_at >= ${from + 27 * 6 * 3600_000}`));

    const admin = await signIn(await createMember(tenant, "admin"));
    const page = await (await dash("GET", `/p/${tenant.project.id}/analytics?range=7d`, { cookie: admin })).text();
    expect(page).toContain("<svg");
    const href = /<a href="([^"]*type=commission.updated[^"]*)"/.exec(page)?.[1]?.replace(/&amp;/g, "&");
    if (!href) throw new Error("no link to the explorer");
    const explorer = await (await dash("GET", href, { cookie: admin })).text();
    expect(await explorerCount(explorer, admin)).toContain(">7 events<");
  });
});
