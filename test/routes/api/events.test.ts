import { describe, expect, it } from "vitest";
import {
  api,
  createTenant,
  expectAuthorisation,
  expectJson,
  expectProblem,
  shardOf,
  type Tenant,
} from "../../fixtures";

type Ingest = { id: string; hash: string; received_at: string; duplicate: boolean };
type Page = { data: Record<string, unknown>[]; next_cursor: string | null };

const post = (key: string | undefined, body: unknown) => api("POST", "/v1/events", { key, body });
const postBatch = (key: string | undefined, body: unknown) => api("POST", "/v1/events/batch", { key, body });

async function storedCount(tenant: Tenant): Promise<number> {
  const { d1, pn } = shardOf(tenant.project);
  const row = await d1.prepare("SELECT count(*) AS n FROM events WHERE pn = ?").bind(pn).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("POST /v1/events", () => {
  it("stores an event and answers its id, hash and received_at", async () => {
    const tenant = await createTenant();
    const answer = await expectJson<Ingest>(
      await post(tenant.keys.ingest, {
        type: "commission.updated",
        occurred_at: "2026-11-02T10:15:00+01:00",
        summary: "Commission approved",
        lifecycle_action: "approved",
        actor: { type: "team_member", id: "u_42", name: "Jane Doe", email: "Jane@Example.com" },
        changes: { status: ["pending", "approved"] },
      }),
      201,
    );
    expect(answer).toMatchObject({
      id: expect.stringMatching(/^evt_[0-9a-z]{26}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      duplicate: false,
    });
    expect(Date.parse(answer.received_at)).toBeGreaterThan(Date.now() - 60_000);

    const event = await expectJson(await api("GET", `/v1/events/${answer.id}`, { key: tenant.keys.read }), 200);
    expect(event).toMatchObject({
      id: answer.id,
      hash: answer.hash,
      category: "activity",
      action: "updated",
      occurred_at: "2026-11-02T09:15:00.000Z",
      changes: { status: ["pending", "approved"] },
      actor: { id: "u_42", name: "Jane Doe" },
    });
  });

  it("accepts epoch milliseconds and defaults occurred_at to the time received", async () => {
    const tenant = await createTenant();
    const a = await expectJson<Ingest>(
      await post(tenant.keys.ingest, { type: "user.login", occurred_at: 1_700_000_000_000 }),
      201,
    );
    const b = await expectJson<Ingest>(await post(tenant.keys.ingest, { type: "user.logout" }), 201);
    const first = await expectJson(await api("GET", `/v1/events/${a.id}`, { key: tenant.keys.read }), 200);
    const second = await expectJson(await api("GET", `/v1/events/${b.id}`, { key: tenant.keys.read }), 200);
    expect(first.occurred_at).toBe("2023-11-14T22:13:20.000Z");
    expect(second.occurred_at).toBe(b.received_at);
  });

  it.each([
    ["no type", { summary: "x" }, "type"],
    ["a type with forbidden characters", { type: "commission<script>" }, "type"],
    ["an unknown field", { type: "a.b", colour: "red" }, "(body)"],
    ["a time without offset", { type: "a.b", occurred_at: "2026-11-02T10:15:00" }, "occurred_at"],
    ["a time that is not a time", { type: "a.b", occurred_at: "yesterday" }, "occurred_at"],
    [
      "a time in the future",
      { type: "a.b", occurred_at: new Date(Date.now() + 3_600_000).toISOString() },
      "occurred_at",
    ],
    ["a summary over 1,000 characters", { type: "a.b", summary: "x".repeat(1001) }, "summary"],
    ["a message over 4,000 characters", { type: "a.b", message: "x".repeat(4001) }, "message"],
    ["a bad id", { type: "a.b", id: "has space" }, "id"],
    ["changes that are not pairs", { type: "a.b", changes: { status: "approved" } }, "changes.status"],
    ["a status code out of range", { type: "a.b", request: { status_code: 99 } }, "request.status_code"],
    ["a body that is not an object", ["not", "an", "event"], "(body)"],
  ])("rejects %s with 422 naming the field", async (_name, body, path) => {
    const tenant = await createTenant();
    const problem = await expectProblem(await post(tenant.keys.ingest, body), 422);
    expect(problem.errors.map((e) => e.path)).toContain(path);
    expect(await storedCount(tenant)).toBe(0);
  });

  it("rejects malformed JSON with 400, another content type with 415, a huge body with 413", async () => {
    const tenant = await createTenant();
    await expectProblem(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        rawBody: '{"type": ',
        headers: { "Content-Type": "application/json" },
      }),
      400,
    );
    await expectProblem(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        rawBody: "type=a.b",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      415,
    );
    await expectProblem(await api("POST", "/v1/events", { key: tenant.keys.ingest, rawBody: '{"type":"a.b"}' }), 415);
    await expectProblem(
      await post(tenant.keys.ingest, { type: "a.b", metadata: { blob: "x".repeat(1_100_000) } }),
      413,
    );
    // 64 KB per event, counted after request bodies are cut to 16 KB.
    const fat = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, "y".repeat(999)]));
    const problem = await expectProblem(await post(tenant.keys.ingest, { type: "a.b", metadata: fat }), 413);
    expect(problem.detail).toContain("64 KB");
    expect(await storedCount(tenant)).toBe(0);
  });

  it("cuts request and response bodies to 16 KB with a visible marker", async () => {
    const tenant = await createTenant();
    const big = { items: Array.from({ length: 2000 }, (_, i) => ({ n: i, label: "item" })) };
    const { id } = await expectJson<Ingest>(
      await post(tenant.keys.ingest, {
        type: "GET /v1/items",
        category: "api_request",
        request: { body: big, response_body: big },
      }),
      201,
    );
    const event = await expectJson<{ request: { body: unknown; response_body: unknown } }>(
      await api("GET", `/v1/events/${id}`, { key: tenant.keys.read }),
      200,
    );
    for (const body of [event.request.body, event.request.response_body]) {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      expect(text.length).toBeLessThanOrEqual(16 * 1024 + 20);
      expect(text).toContain("…truncated");
    }
  });

  it("is idempotent on id: same content is a duplicate, other content is 409", async () => {
    const tenant = await createTenant();
    const event = { id: "evt_client_1", type: "payout.created", category: "payment", status: "processing" };
    const first = await expectJson<Ingest>(await post(tenant.keys.ingest, event), 201);
    const again = await expectJson<Ingest>(await post(tenant.keys.ingest, event), 201);
    expect(again).toEqual({ ...first, duplicate: true });
    const conflict = await expectProblem(await post(tenant.keys.ingest, { ...event, status: "complete" }), 409);
    expect(conflict.errors[0]?.path).toBe("id");
    expect(await storedCount(tenant)).toBe(1);
  });

  it("treats a retry without occurred_at as a duplicate of the first attempt", async () => {
    const tenant = await createTenant();
    const event = { id: "evt_retry", type: "email.sent", category: "email", status: "pending" };
    const first = await expectJson<Ingest>(await post(tenant.keys.ingest, event), 201);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await expectJson<Ingest>(await post(tenant.keys.ingest, event), 201);
    expect(again).toMatchObject({ duplicate: true, hash: first.hash, received_at: first.received_at });
  });

  it("keeps ids per project: the same id in two projects is two events", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await expectJson(await post(a.keys.ingest, { id: "shared", type: "x.y", summary: "A" }), 201);
    const other = await expectJson<Ingest>(await post(b.keys.ingest, { id: "shared", type: "x.y", summary: "B" }), 201);
    expect(other.duplicate).toBe(false);
  });

  it("checks the key and its scope", async () => {
    const tenant = await createTenant();
    await expectAuthorisation((key) => post(key, { type: "a.b" }), tenant, ["read"]);
    await expectJson(await post(tenant.keys.admin, { type: "a.b" }), 201);
    expect(await storedCount(tenant)).toBe(1);
  });
});

describe("POST /v1/events/batch", () => {
  it("stores every event and answers in input order", async () => {
    const tenant = await createTenant();
    const events = [
      { id: "b1", type: "user.login", category: "auth", status: "success" },
      { type: "user.login_failed", category: "auth", status: "failure" },
      { id: "b3", type: "user.logout", category: "auth" },
    ];
    const { data } = await expectJson<{ data: Ingest[] }>(await postBatch(tenant.keys.ingest, { events }), 201);
    expect(data.map((d) => d.id)).toEqual(["b1", expect.stringMatching(/^evt_/), "b3"]);
    expect(data.every((d) => !d.duplicate && /^[0-9a-f]{64}$/.test(d.hash))).toBe(true);
    expect(await storedCount(tenant)).toBe(3);
  });

  it("stores nothing when one event is invalid and names its index", async () => {
    const tenant = await createTenant();
    const problem = await expectProblem(
      await postBatch(tenant.keys.ingest, { events: [{ type: "a.b" }, { type: "a.c" }, { summary: "no type" }] }),
      422,
    );
    expect(problem.errors.map((e) => e.path)).toEqual(["events[2].type"]);
    expect(problem.detail).toContain("events[2].type");
    expect(await storedCount(tenant)).toBe(0);
  });

  it("stores nothing when one event conflicts with a stored one", async () => {
    const tenant = await createTenant();
    await expectJson(await post(tenant.keys.ingest, { id: "taken", type: "a.b" }), 201);
    const problem = await expectProblem(
      await postBatch(tenant.keys.ingest, {
        events: [
          { id: "fresh", type: "a.b" },
          { id: "taken", type: "a.other" },
        ],
      }),
      409,
    );
    expect(problem.errors[0]?.path).toBe("events[1].id");
    expect(await storedCount(tenant)).toBe(1);
  });

  it("answers duplicates inside a batch and against stored events", async () => {
    const tenant = await createTenant();
    await expectJson(
      await post(tenant.keys.ingest, { id: "old", type: "a.b", occurred_at: "2026-01-01T00:00:00Z" }),
      201,
    );
    const { data } = await expectJson<{ data: Ingest[] }>(
      await postBatch(tenant.keys.ingest, {
        events: [
          { id: "old", type: "a.b", occurred_at: "2026-01-01T00:00:00Z" },
          { id: "new", type: "a.c", occurred_at: "2026-01-01T00:00:00Z" },
          { id: "new", type: "a.c", occurred_at: "2026-01-01T00:00:00Z" },
        ],
      }),
      201,
    );
    expect(data.map((d) => d.duplicate)).toEqual([true, false, true]);
    expect(await storedCount(tenant)).toBe(2);
    await expectProblem(
      await postBatch(tenant.keys.ingest, {
        events: [
          { id: "twice", type: "a.b" },
          { id: "twice", type: "a.c" },
        ],
      }),
      409,
    );
  });

  it("stores 1,000 events in one request and refuses 1,001", async () => {
    const tenant = await createTenant();
    const events = Array.from({ length: 1000 }, (_, i) => ({
      id: `bulk_${i}`,
      type: "sales_entry",
      category: "integration",
      status: i % 10 === 0 ? "failure" : "success",
      summary: `Sale ${i}`,
      changes: { amount_cents: [0, i * 100] },
    }));
    const { data } = await expectJson<{ data: Ingest[] }>(await postBatch(tenant.keys.ingest, { events }), 201);
    expect(data).toHaveLength(1000);
    expect(data[999]?.id).toBe("bulk_999");
    expect(await storedCount(tenant)).toBe(1000);
    const problem = await expectProblem(
      await postBatch(tenant.keys.ingest, { events: [...events, { type: "one.more" }] }),
      422,
    );
    expect(problem.errors[0]?.path).toBe("events");
    await expectProblem(await postBatch(tenant.keys.ingest, { events: [] }), 422);
  });

  it("checks the key and its scope", async () => {
    const tenant = await createTenant();
    await expectAuthorisation((key) => postBatch(key, { events: [{ type: "a.b" }] }), tenant, ["read"]);
  });
});

describe("GET /v1/events, /count and /{id}", () => {
  async function seeded() {
    const tenant = await createTenant();
    const events = Array.from({ length: 7 }, (_, i) => ({
      id: `e${i}`,
      type: i % 2 ? "commission.updated" : "payout.created",
      category: i % 2 ? "activity" : "payment",
      occurred_at: `2026-10-0${i + 1}T12:00:00Z`,
    }));
    await expectJson(await postBatch(tenant.keys.ingest, { events }), 201);
    return tenant;
  }

  it("lists newest first with a cursor and counts with the same filters", async () => {
    const tenant = await seeded();
    const first = await expectJson<Page>(await api("GET", "/v1/events?limit=3", { key: tenant.keys.read }), 200);
    expect(first.data.map((e) => e.id)).toEqual(["e6", "e5", "e4"]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await expectJson<Page>(
      await api("GET", `/v1/events?limit=3&cursor=${first.next_cursor}`, { key: tenant.keys.read }),
      200,
    );
    expect(second.data.map((e) => e.id)).toEqual(["e3", "e2", "e1"]);
    const third = await expectJson<Page>(
      await api("GET", `/v1/events?limit=3&cursor=${second.next_cursor}`, { key: tenant.keys.read }),
      200,
    );
    expect(third).toMatchObject({ data: [{ id: "e0" }], next_cursor: null });

    const filtered = await expectJson<Page>(
      await api("GET", "/v1/events?category=payment", { key: tenant.keys.read }),
      200,
    );
    expect(filtered.data.map((e) => e.id)).toEqual(["e6", "e4", "e2", "e0"]);
    expect(
      await expectJson(await api("GET", "/v1/events/count?category=payment", { key: tenant.keys.read }), 200),
    ).toEqual({ count: 4 });
    expect(await expectJson(await api("GET", "/v1/events/count", { key: tenant.keys.admin }), 200)).toEqual({
      count: 7,
    });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=201", "limit"],
    ["limit=ten", "limit"],
    ["cursor=bm9wZQ", "cursor"],
    ["colour=red", "(query)"],
    ["from=not-a-date", "from"],
    ["to=2026-13-45", "to"],
  ])("rejects %s with 422", async (params, path) => {
    const tenant = await createTenant();
    const problem = await expectProblem(await api("GET", `/v1/events?${params}`, { key: tenant.keys.read }), 422);
    expect(problem.errors.map((e) => e.path)).toContain(path);
  });

  it("says where a malformed search query is wrong", async () => {
    const tenant = await createTenant();
    const problem = await expectProblem(
      await api("GET", `/v1/events/count?query=${encodeURIComponent("status:failure colour:red")}`, {
        key: tenant.keys.read,
      }),
      422,
    );
    expect(problem.errors[0]).toMatchObject({ path: "query", message: expect.stringContaining("column 16") });
    const unterminated = await expectProblem(
      await api("GET", `/v1/events?query=${encodeURIComponent('type:a "open')}`, { key: tenant.keys.read }),
      422,
    );
    expect(unterminated.detail).toContain("column 8");
  });

  it("answers 404 for an unknown id and for another project's event", async () => {
    const mine = await seeded();
    const other = await createTenant();
    await expectProblem(await api("GET", "/v1/events/nope", { key: mine.keys.read }), 404);
    const problem = await expectProblem(await api("GET", "/v1/events/e1", { key: other.keys.read }), 404);
    expect(JSON.stringify(problem)).not.toContain(mine.project.id);
    const { count } = await expectJson<{ count: number }>(
      await api("GET", "/v1/events/count", { key: other.keys.read }),
      200,
    );
    expect(count).toBe(0);
  });

  it("checks the key and its scope", async () => {
    const tenant = await seeded();
    await expectAuthorisation((key) => api("GET", "/v1/events", { key }), tenant, ["ingest"]);
    await expectAuthorisation((key) => api("GET", "/v1/events/count", { key }), tenant, ["ingest"]);
    await expectAuthorisation((key) => api("GET", "/v1/events/e1", { key }), tenant, ["ingest"]);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a key exceeds its limit, and other keys carry on", async () => {
    const tenant = await createTenant();
    let limited: Response | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const response = await api("GET", "/v1/events/count", { key: tenant.keys.read });
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(200);
    }
    if (!limited) throw new Error("no 429 after 40 requests with a limit of 30");
    expect(limited.headers.get("Retry-After")).toBe("60");
    await expectProblem(limited, 429);
    await expectJson(await api("GET", "/v1/events/count", { key: tenant.keys.admin }), 200);
  });
});

describe("GET /v1/openapi.json and /healthz", () => {
  it("documents every event route from the zod schemas", async () => {
    const doc = await expectJson<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>(await api("GET", "/v1/openapi.json"), 200);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/events", "/v1/events/batch", "/v1/events/count", "/v1/events/{id}"]),
    );
    expect(Object.keys(doc.paths["/v1/events"] ?? {})).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["EventInput", "Event", "Problem", "IngestResult"]),
    );
  });

  it("reports liveness with a D1 check", async () => {
    expect(await expectJson(await api("GET", "/healthz"), 200)).toMatchObject({ status: "ok" });
  });

  it("answers unknown routes with a problem", async () => {
    await expectProblem(await api("GET", "/v1/nothing-here"), 404);
  });
});

describe("GET /", () => {
  it("sends someone who is not signed in to the sign-in page", async () => {
    const response = await api("GET", "/");
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/login");
  });
});
