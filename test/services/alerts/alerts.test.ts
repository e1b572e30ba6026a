import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleScheduled } from "../../../src/cron";
import { checkAlertWindows } from "../../../src/services/alerts/evaluate";
import { anyMatchRules } from "../../../src/services/alerts/rules";
import { KEY_CACHE_MS } from "../../../src/services/key-cache";
import {
  api,
  createMember,
  createTenant,
  dash,
  expectAuthorisation,
  expectJson,
  expectProblem,
  projectContext,
  signIn,
  storedEvents,
  systemContext,
  type Tenant,
} from "../../fixtures";

type Rule = { id: string; name: string; filter: string; condition: string; last_fired_at: string | null };

async function notifications(projectId: string): Promise<{ type: string; title: string; emailed_at: number | null }[]> {
  const { results } = await env.DB.prepare(
    "SELECT type, title, emailed_at FROM notifications WHERE project_id = ? ORDER BY created_at",
  )
    .bind(projectId)
    .all<{ type: string; title: string; emailed_at: number | null }>();
  return results;
}

/** Alerts on ingest run after the answer: wait for them (a bounded poll). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 50 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

async function addRule(tenant: Tenant, body: Record<string, unknown>): Promise<Rule> {
  return expectJson<Rule>(await api("POST", "/v1/alert-rules", { key: tenant.keys.admin, body }), 201);
}

describe("alert rules API", () => {
  it("creates from a template, lists with keyset pages, changes, deletes; each change is a configuration event", async () => {
    const tenant = await createTenant();
    const rule = await addRule(tenant, { template: "rollback_payout" });
    expect(rule).toMatchObject({
      name: "Rollback payout",
      filter: "type:payout.* status:rollback",
      condition: "any",
      enabled: true,
    });
    for (let i = 0; i < 3; i++) await addRule(tenant, { name: `Rule ${i}`, filter: `type:x${i}.*` });
    const first = await expectJson<{ data: Rule[]; next_cursor: string }>(
      await api("GET", "/v1/alert-rules?limit=3", { key: tenant.keys.read }),
      200,
    );
    expect(first.data.map((r) => r.name)).toEqual(["Rule 2", "Rule 1", "Rule 0"]);
    const second = await expectJson<{ data: Rule[]; next_cursor: null }>(
      await api("GET", `/v1/alert-rules?limit=3&cursor=${first.next_cursor}`, { key: tenant.keys.read }),
      200,
    );
    expect(second).toEqual({ data: [expect.objectContaining({ id: rule.id })], next_cursor: null });

    const changed = await expectJson<Rule>(
      await api("PATCH", `/v1/alert-rules/${rule.id}`, {
        key: tenant.keys.admin,
        body: { condition: "threshold", threshold: 3, window_minutes: 15, group_by: "actor" },
      }),
      200,
    );
    expect(changed).toMatchObject({ condition: "threshold", threshold: 3, window_minutes: 15, group_by: "actor" });
    expect((await api("DELETE", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.admin })).status).toBe(204);
    await expectProblem(await api("GET", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.read }), 404);

    const own = (await storedEvents(tenant.project.id)).filter((e) => String(e.type).startsWith("alert_rule."));
    expect(own.map((e) => [e.type, e.category])).toEqual([
      ["alert_rule.deleted", "configuration"],
      ["alert_rule.updated", "configuration"],
      ["alert_rule.created", "configuration"],
      ["alert_rule.created", "configuration"],
      ["alert_rule.created", "configuration"],
      ["alert_rule.created", "configuration"],
    ]);
    const templates = await expectJson<{ data: { id: string; name: string }[] }>(
      await api("GET", "/v1/alert-rules/templates", { key: tenant.keys.read }),
      200,
    );
    expect(templates.data.map((t) => t.name)).toEqual(
      expect.arrayContaining(["New pending member", "Funds low", "Member add failure", "Rollback payout"]),
    );
  });

  it("refuses bad input with a 422 naming the field, stores nothing, and keeps projects apart", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x", filter: "colour:red" }, "filter"],
      [{ name: "x", condition: "threshold", threshold: 1, window_minutes: 10 }, "threshold"],
      [{ name: "x", condition: "threshold", threshold: 5, window_minutes: 2 }, "window_minutes"],
      [{ name: "x", window_minutes: 0 }, "window_minutes"],
      [{ name: "x", group_by: "planet" }, "group_by"],
      [{ name: "x", webhook_id: "whe_not_there" }, "webhook_id"],
      [{ name: "x", bogus: 1 }, "(body)"],
      [{ template: "nope" }, "template"],
      [{ filter: "type:x" }, "name"],
      [{ name: "bad\u0000name" }, "name"],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await api("POST", "/v1/alert-rules", { key: tenant.keys.admin, body }), 422);
      expect(
        problem.errors.map((e) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM alert_rules WHERE project_id = ?")
        .bind(tenant.project.id)
        .first("n"),
    ).toBe(0);
    const rule = await addRule(other, { name: "Theirs" });
    await expectProblem(await api("GET", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.read }), 404);
    await expectProblem(
      await api("PATCH", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.admin, body: { enabled: false } }),
      404,
    );
    await expectProblem(await api("DELETE", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.admin }), 404);
    await expectAuthorisation((key) => api("POST", "/v1/alert-rules", { key, body: { name: "x" } }), tenant, [
      "ingest",
      "read",
    ]);
    await expectAuthorisation((key) => api("GET", "/v1/alert-rules", { key }), tenant, ["ingest"]);
  });
});

describe("alerts firing", () => {
  it("fires an any-match rule on ingest once per window: a notification and an alert.fired event, never on itself", async () => {
    const tenant = await createTenant();
    const rule = await addRule(tenant, { template: "rollback_payout", window_minutes: 5 });
    const post = (events: Record<string, unknown>[]) =>
      api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events } });
    await expectJson(await post([{ type: "payout.updated", category: "payment", status: "complete" }]), 201);
    await expectJson(
      await post([
        { type: "payout.updated", category: "payment", status: "rollback", id: "evt_rb_1" },
        { type: "payout.updated", category: "payment", status: "rollback", id: "evt_rb_2" },
      ]),
      201,
    );
    const fired = await eventually(
      () => notifications(tenant.project.id),
      (n) => n.length > 0,
    );
    expect(fired).toEqual([
      { type: "alert.fired", title: 'Alert "Rollback payout": 2 matching events', emailed_at: expect.any(Number) },
    ]);
    const events = await eventually(
      () => storedEvents(tenant.project.id),
      (e) => e.some((x) => x.type === "alert.fired"),
    );
    const alert = events.find((e) => e.type === "alert.fired");
    expect(alert).toMatchObject({
      category: "configuration",
      source: "system",
      entity: { type: "alert_rule", id: rule.id, name: "Rollback payout" },
      metadata: { count: 2, first_event_id: "evt_rb_1", rule_id: rule.id },
    });
    // Within the same window another match fires nothing more.
    await expectJson(await post([{ type: "payout.updated", category: "payment", status: "rollback" }]), 201);
    await new Promise((r) => setTimeout(r, 300));
    expect(await notifications(tenant.project.id)).toHaveLength(1);
    const again = await expectJson<Rule>(
      await api("GET", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.read }),
      200,
    );
    expect(again.last_fired_at).not.toBeNull();
  });

  it("keeps a project's any-match rules a few seconds per isolate; a change made here applies at once", async () => {
    const tenant = await createTenant();
    const ctx = projectContext(tenant.project);
    const rule = await addRule(tenant, { template: "rollback_payout" });
    const ids = async (now: number) => (await anyMatchRules(ctx, now)).map((r) => r.id);
    const t = Date.now();
    expect(await ids(t)).toEqual([rule.id]);
    // Disabled by another isolate (straight in the database): this one applies it once its copy expires.
    await env.DB.prepare("UPDATE alert_rules SET enabled = 0 WHERE id = ?").bind(rule.id).run();
    expect(await ids(t + 1_000)).toEqual([rule.id]);
    expect(await ids(t + KEY_CACHE_MS + 1)).toEqual([]);
    // Enabled again here: applied at once.
    await expectJson(
      await api("PATCH", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.admin, body: { enabled: true } }),
      200,
    );
    expect(await ids(t + KEY_CACHE_MS + 2)).toEqual([rule.id]);
  });

  it("fires per group, and a rule matching everything does not feed on its own alerts", async () => {
    const tenant = await createTenant();
    // Its own creation (a configuration event by the API key) is the first thing it matches.
    const rule = await addRule(tenant, { name: "Everything", filter: "", group_by: "actor", email: true });
    const keyId = (await storedEvents(tenant.project.id)).find((e) => e.type === "alert_rule.created")?.actor as {
      id: string;
    };
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { type: "a.b", actor: { id: "u_1" } },
            { type: "a.b", actor: { id: "u_2" } },
            { type: "a.b", actor: { id: "u_2" } },
            { type: "a.b" },
          ],
        },
      }),
      201,
    );
    await eventually(
      () => notifications(tenant.project.id),
      (n) => n.length >= 3,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await notifications(tenant.project.id)).map((n) => [n.title, n.emailed_at]).sort()).toEqual([
      [`Alert "Everything": 1 matching event for actor ${keyId.id}`, null],
      ['Alert "Everything": 1 matching event for actor u_1', null],
      ['Alert "Everything": 2 matching events for actor u_2', null],
    ]);
    const alerts = (await storedEvents(tenant.project.id)).filter((e) => e.type === "alert.fired");
    expect(alerts.map((a) => (a.entity as { id: string }).id)).toEqual([rule.id, rule.id, rule.id]);
  });

  it("checks threshold rules by cron over their window, once per window, and delivers to the rule's endpoint", async () => {
    const tenant = await createTenant();
    const endpoint = await expectJson<{ id: string }>(
      await api("POST", "/v1/webhooks", {
        key: tenant.keys.admin,
        body: { url: "https://receiver.example/hook", event_types: ["commission.*"] },
      }),
      201,
    );
    const rule = await addRule(tenant, {
      template: "failed_sign_in_burst",
      threshold: 3,
      window_minutes: 10,
      webhook_id: endpoint.id,
    });
    const failure = (ip: string) => ({
      type: "user.login_failed",
      category: "auth",
      status: "failure",
      request: { ip },
    });
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [failure("203.0.113.9"), failure("203.0.113.9"), failure("203.0.113.9"), failure("198.51.100.2")],
        },
      }),
      201,
    );
    const now = Date.now() + 1000;
    expect(await checkAlertWindows(systemContext(), now)).toBe(1);
    expect(await checkAlertWindows(systemContext(), now + 60_000)).toBe(0);
    const titles = (await notifications(tenant.project.id)).map((n) => n.title);
    expect(titles).toContain(
      'Alert "Failed sign-in burst": 3 matching events within 10 minutes for IP address 203.0.113.9',
    );
    const alert = (await storedEvents(tenant.project.id)).find((e) => e.type === "alert.fired");
    const sendouts = await env.DB.prepare(
      "SELECT endpoint_id, event_type, event_id FROM webhook_sendouts WHERE project_id = ?",
    )
      .bind(tenant.project.id)
      .all();
    expect(sendouts.results).toEqual([{ endpoint_id: endpoint.id, event_type: "alert.fired", event_id: alert?.id }]);
    // A disabled rule is not checked; the cron job runs the check too.
    await api("PATCH", `/v1/alert-rules/${rule.id}`, { key: tenant.keys.admin, body: { enabled: false } });
    expect(await checkAlertWindows(systemContext(), now + 11 * 60_000)).toBe(0);
    const result = (await handleScheduled(
      { cron: "*/2 * * * *", scheduledTime: now, noRetry() {} } as ScheduledController,
      env,
    )) as { alerts: number };
    expect(result.alerts).toBe(0);
  });
});

describe("Settings → Alerts", () => {
  it("creates a rule from a template with Post/Redirect/Get, confirms before deleting, and is for owners and admins", async () => {
    const tenant = await createTenant();
    const admin = await signIn(await createMember(tenant, "admin"));
    const member = await signIn(await createMember(tenant, "member"));
    const base = `/p/${tenant.project.id}/settings/alerts`;
    const filled = await (await dash("GET", `${base}?template=funds_low`, { cookie: admin })).text();
    expect(filled).toContain('value="Funds low"');
    expect(filled).toContain("category:payment status:failed &quot;insufficient funds&quot;");

    const refused = await dash("POST", base, {
      cookie: admin,
      form: { name: "Broken", filter: "colour:red", condition: "any", window_minutes: "5" },
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("unknown key");

    const created = await dash("POST", base, {
      cookie: admin,
      form: {
        template: "funds_low",
        name: "Funds low",
        filter: 'category:payment status:failed "insufficient funds"',
        condition: "any",
        threshold: "1",
        window_minutes: "60",
        group_by: "",
        email: "1",
        webhook_id: "",
        enabled: "1",
      },
    });
    expect(created.status, await created.text()).toBe(303);
    expect(created.headers.get("Location")).toBe(`${base}?done=created`);
    const list = await (await dash("GET", `${base}?done=created`, { cookie: admin })).text();
    expect(list).toContain("Alert rule added.");
    const id = /settings\/alerts\/(alr_[0-9a-z]+)/.exec(list)?.[1];
    if (!id) throw new Error("no rule listed");
    expect(await (await dash("GET", `${base}/${id}/delete`, { cookie: admin })).text()).toContain(
      "Delete alert rule “Funds low”?",
    );
    expect((await dash("POST", `${base}/${id}/delete`, { cookie: member })).status).toBe(403);
    expect((await dash("POST", `${base}/${id}/delete`, { cookie: admin, origin: "https://evil.example" })).status).toBe(
      403,
    );
    const deleted = await dash("POST", `${base}/${id}/delete`, { cookie: admin });
    expect(deleted.headers.get("Location")).toBe(`${base}?done=deleted`);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM alert_rules WHERE project_id = ?")
        .bind(tenant.project.id)
        .first("n"),
    ).toBe(0);
  });
});
