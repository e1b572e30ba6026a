import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../../src/db/client";
import { ValidationError } from "../../../src/lib/errors";
import { compileFilters, type EventFilters, scopeToOrganization } from "../../../src/services/events/filters";
import { countEvents, listEvents } from "../../../src/services/events/query";
import { api, createTenant, expectJson, expectProblem, projectContext, type Tenant } from "../../fixtures";

// One small project in Europe/Berlin whose events differ in exactly the ways the filters look at.
const EVENTS = [
  {
    id: "a1",
    type: "commission.updated",
    status: "success",
    source: "dashboard",
    summary: "Commission approved for Promoter #123",
    actor: { type: "team_member", id: "u_42", name: "Jane Doe", email: "jane@example.com" },
    entity: { type: "commission", id: "123" },
    organization_id: "org_9",
    request: { id: "req_abc", method: "PATCH", path: "/api/commissions/123", status_code: 200 },
    changes: { status: ["pending", "approved"] },
    occurred_at: "2026-11-02T10:15:00+01:00",
  },
  {
    id: "a2",
    type: "commission.created",
    source: "api",
    summary: "Commission created",
    actor: { type: "api_key", id: "key_1" },
    entity: { type: "commission", id: "124" },
    organization_id: "org_7",
    changes: { amount_cents: [0, 1200] },
    occurred_at: "2026-11-01T23:30:00Z", // 00:30 on 2 November in Berlin
  },
  {
    id: "a3",
    type: "payout.created",
    category: "payment",
    status: "failed",
    source: "system",
    message: "Bank rejected the payout",
    organization_id: "org_9",
    job_id: "jid_77",
    occurred_at: "2026-11-01T22:30:00Z", // 23:30 on 1 November in Berlin
  },
  {
    id: "a4",
    type: "user.login_failed",
    category: "auth",
    status: "failure",
    source: "dashboard",
    actor: { type: "team_member", id: "u_7", name: "Bob Stone", email: "Bob@Example.com" },
    request: { id: "req_abc", ip: "203.0.113.7" },
    occurred_at: "2026-10-15T08:00:00Z",
  },
  {
    id: "a5",
    type: "GET /v1/vouchers",
    category: "api_request",
    status: "failure",
    source: "api",
    summary: "Voucher not found",
    request: { id: "req_zzz", method: "GET", path: "/v1/vouchers", status_code: 404 },
    occurred_at: "2026-11-03T12:00:00Z",
  },
  {
    id: "a6",
    type: "email.sent",
    category: "email",
    status: "bounced",
    summary: "Welcome e-mail bounced",
    entity: { type: "promoter", id: "p_9" },
    changes: { status: ["pending", "bounced"] },
    occurred_at: "2026-11-04T09:00:00Z",
  },
  { id: "a7", type: "commissioner.added", occurred_at: "2026-10-01T00:00:00Z" },
];

let tenant: Tenant;
const _db = createDb(env.DB);

async function ids(filters: EventFilters): Promise<string[]> {
  const page = await listEvents(projectContext(tenant.project), compileFilters(filters, tenant.project.timezone), {
    limit: 200,
  });
  const count = await countEvents(projectContext(tenant.project), compileFilters(filters, tenant.project.timezone));
  expect(count).toBe(page.data.length);
  return page.data.map((e) => e.id);
}

beforeAll(async () => {
  tenant = await createTenant({ timezone: "Europe/Berlin" });
  await expectJson(await api("POST", "/v1/events/batch", { key: tenant.keys.ingest, body: { events: EVENTS } }), 201);
  // Another project's look-alike events must never show up.
  const other = await createTenant({ timezone: "Europe/Berlin" });
  await expectJson(await api("POST", "/v1/events/batch", { key: other.keys.ingest, body: { events: EVENTS } }), 201);
});

describe("filters", () => {
  it.each<[string, EventFilters, string[]]>([
    ["nothing", {}, ["a6", "a5", "a1", "a2", "a3", "a4", "a7"]],
    ["category", { category: "payment" }, ["a3"]],
    ["a category list", { category: "payment, email" }, ["a6", "a3"]],
    ["type prefix (not commissioner.*)", { type: "commission.*" }, ["a1", "a2"]],
    ["a type list", { type: "commission.updated,email.sent" }, ["a6", "a1"]],
    ["a type with spaces and slashes", { type: "GET /v1/vouchers" }, ["a5"]],
    ["action, across entity types", { action: "created" }, ["a2", "a3"]],
    ["an action list", { action: "sent,login_failed" }, ["a6", "a4"]],
    ["an action is the whole text after the last dot", { action: "ated" }, []],
    ["a type without a dot is its own action", { action: "GET /v1/vouchers" }, ["a5"]],
    ["status", { status: "failure" }, ["a5", "a4"]],
    ["source", { source: "dashboard" }, ["a1", "a4"]],
    ["actor_id", { actor_id: "u_42" }, ["a1"]],
    ["actor_type", { actor_type: "api_key" }, ["a2"]],
    ["entity_type", { entity_type: "commission" }, ["a1", "a2"]],
    ["entity_id", { entity_id: "124" }, ["a2"]],
    ["organization_id", { organization_id: "org_9" }, ["a1", "a3"]],
    ["request_id", { request_id: "req_abc" }, ["a1", "a4"]],
    ["job_id", { job_id: "jid_77" }, ["a3"]],
    ["changed", { changed: "status" }, ["a6", "a1"]],
    ["changed with the entity type", { changed: "commission.status" }, ["a1"]],
    ["changed, another field", { changed: "amount_cents" }, ["a2"]],
    ["q over the summary", { q: "approved" }, ["a1"]],
    ["q over the message", { q: "bank" }, ["a3"]],
    ["q over ids", { q: "req_zzz" }, ["a5"]],
    ["q as a prefix, over changes", { q: "pend" }, ["a6", "a1"]],
    ["q with two words (both must match)", { q: "commission created" }, ["a2"]],
    ["q with FTS syntax characters", { q: 'NEAR( "x OR * -' }, []],
    ["from: a bare date starts at midnight in the project's zone", { from: "2026-11-02" }, ["a6", "a5", "a1", "a2"]],
    ["to: a bare date includes that whole day", { to: "2026-11-01" }, ["a3", "a4", "a7"]],
    ["from and to with offsets", { from: "2026-11-01T22:00:00Z", to: "2026-11-01T23:00:00Z" }, ["a3"]],
    ["a local time without offset", { from: "2026-11-02T00:00", to: "2026-11-02T01:00" }, ["a2"]],
    ["filters combine with AND", { organization_id: "org_9", status: "failed" }, ["a3"]],
  ])("%s", async (_name, filters, expected) => {
    expect(await ids(filters)).toEqual(expected);
  });
});

describe("search syntax", () => {
  it.each<[string, string[]]>([
    ["type:commission.* actor:u_42", ["a1"]],
    ['actor:"Jane Doe"', ["a1"]],
    ["actor:BOB@example.com", ["a4"]],
    ["-source:api", ["a6", "a1", "a3", "a4", "a7"]],
    // Values no event of the shard has (absent from its dictionary) exclude nothing.
    ["-status:unseen -type:unseen.type -category:unseen", ["a6", "a5", "a1", "a2", "a3", "a4", "a7"]],
    ["-org:org_unseen -source:unseen -entity:unseen", ["a6", "a5", "a1", "a2", "a3", "a4", "a7"]],
    ["status:failure -type:user.*", ["a5"]],
    ["entity:commission:123", ["a1"]],
    ["entity:commission", ["a1", "a2"]],
    ["-entity:commission", ["a6", "a5", "a3", "a4", "a7"]],
    ["org:org_9", ["a1", "a3"]],
    ["organisation:org_7", ["a2"]],
    ["organization_id:org_7", ["a2"]],
    ["request:req_abc", ["a1", "a4"]],
    ["job:jid_77", ["a3"]],
    ["changed:status -changed:commission.status", ["a6"]],
    ["category:payment,email", ["a6", "a3"]],
    ["after:2026-11-02", ["a6", "a5", "a1", "a2"]],
    ["before:2026-11-02", ["a3", "a4", "a7"]],
    ["to:2026-11-01", ["a3", "a4", "a7"]],
    ["after:2026-11-01 before:2026-11-03 -org:org_7", ["a1", "a3"]],
    ['"not found"', ["a5"]],
    ['"found not"', []],
    ["voucher -bounced", ["a5"]],
    ["-approved -pending", ["a5", "a2", "a3", "a4", "a7"]],
    ["TYPE:email.sent", ["a6"]],
    ["action:created type:commission.*", ["a2"]],
    ["-action:created,updated", ["a6", "a5", "a4", "a7"]],
  ])("%s", async (query, expected) => {
    expect(await ids({ query })).toEqual(expected);
  });

  it("combines the search syntax with the other filters", async () => {
    expect(await ids({ query: "status:failure", category: "auth" })).toEqual(["a4"]);
    expect(await ids({ query: "approved", q: "promoter" })).toEqual(["a1"]);
  });

  it.each([
    ["colour:red", 1, "unknown key"],
    ["status:failure -after:2026-01-01", 16, "cannot be negated"],
    ["after:yesterday", 1, "not a date"],
    ['type:a "unterminated', 8, ""],
    ["status: x", 1, ""],
    ["status:failure action:commission.created", 16, "not an action"],
    ["metadata.:x", 1, 'invalid metadata key ""'],
    ["status:failed metadata.a.b:x", 15, 'invalid metadata key "a.b"'],
    ["metadata.a$b:x", 1, 'invalid metadata key "a$b"'],
    ["-metadata.a'b:x", 1, "invalid metadata key"],
    [`metadata.${"k".repeat(65)}:x`, 1, "invalid metadata key"],
    ["metadata.program:", 1, "empty value"],
    ['metadata.program:"open', 18, "unterminated quote"],
  ])("rejects %s, naming column %i", (query, column, words) => {
    let error: unknown;
    try {
      compileFilters({ query }, "UTC");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as ValidationError).message;
    expect(message).toContain(`column ${column}`);
    expect(message).toContain(words);
  });

  it("scopes a partner viewer to one organisation whatever the filters say", async () => {
    const scoped = scopeToOrganization(compileFilters({ query: "org:org_7" }, "UTC"), "org_9");
    const page = await listEvents(projectContext(tenant.project), scoped, { limit: 50 });
    expect(page.data).toEqual([]);
    const own = scopeToOrganization(compileFilters({}, "UTC"), "org_9");
    expect((await listEvents(projectContext(tenant.project), own, { limit: 50 })).data.map((e) => e.id)).toEqual([
      "a1",
      "a3",
    ]);
  });

  it("works the same through the API", async () => {
    const query = encodeURIComponent('type:commission.* -source:api "approved"');
    const page = await expectJson<{ data: { id: string }[] }>(
      await api("GET", `/v1/events?query=${query}`, { key: tenant.keys.read }),
      200,
    );
    expect(page.data.map((e) => e.id)).toEqual(["a1"]);
    const { count } = await expectJson<{ count: number }>(
      await api("GET", "/v1/events/count?from=2026-11-02&type=commission.*", { key: tenant.keys.read }),
      200,
    );
    expect(count).toBe(2);
    await expectProblem(
      await api("GET", `/v1/events?query=${encodeURIComponent("after:soon")}`, { key: tenant.keys.read }),
      422,
    );
    const created = await expectJson<{ data: { id: string }[] }>(
      await api("GET", "/v1/events?action=created", { key: tenant.keys.read }),
      200,
    );
    expect(created.data.map((e) => e.id)).toEqual(["a2", "a3"]);
    await expectProblem(await api("GET", "/v1/events?action=a.b", { key: tenant.keys.read }), 422);
  });
});
