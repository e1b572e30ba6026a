import { beforeAll, describe, expect, it } from "vitest";
import { createMember, createTenant, dash, expectJson, signIn, storedEvents, type Tenant } from "../fixtures";
import { call, footprint, rawJson, refused, retracedBody, retracedPath, workosBody } from "./helpers";

// Requests a review sent to the running service; each must be a clear 4xx that stores nothing.

let tenant: Tenant;
let cookie: string;

beforeAll(async () => {
  tenant = await createTenant();
  cookie = await signIn(await createMember(tenant, "owner"));
  await expectJson(
    await call(tenant, "ingest", "POST", "/v1/events", { body: { id: "seed_1", type: "user.login" } }),
    201,
  );
});

const deep = (levels: number, open = "[", close = "]") => `${open.repeat(levels)}1${close.repeat(levels)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

/** Asserts a problem naming `path` among its errors. */
function names(text: string, path: string) {
  const body = JSON.parse(text) as { errors?: { path?: string; field?: string }[] };
  expect(
    body.errors?.map((e) => e.path ?? e.field),
    text.slice(0, 400),
  ).toContain(path);
}

describe("text that cannot be stored: unpaired surrogates and NUL in events", () => {
  it.each([
    ["summary", '{"type": "a.b", "summary": "x\\ud800y"}', "summary"],
    ["a lone low surrogate", '{"type": "a.b", "summary": "\\udc00"}', "summary"],
    ["actor.name", '{"type": "a.b", "actor": {"name": "\\ud83d"}}', "actor.name"],
    ["a metadata key", '{"type": "a.b", "metadata": {"\\udc00": 1}}', "metadata.\\udc00"],
    ["a nested metadata value", '{"type": "a.b", "metadata": {"x": [{"y": "\\ud800"}]}}', "metadata.x[0].y"],
    ["a changes key", '{"type": "a.b", "changes": {"\\ud800": [1, 2]}}', "changes.\\ud800"],
    ["a request body", '{"type": "a.b", "request": {"body": {"k": "\\udfff"}}}', "request.body.k"],
    ["a NUL in summary", '{"type": "a.b", "summary": "a\\u0000b"}', "summary"],
    ["a NUL in a metadata value", '{"type": "a.b", "metadata": {"k": "\\u0000"}}', "metadata.k"],
    ["a NUL in actor.id", '{"type": "a.b", "actor": {"id": "u\\u0000"}}', "actor.id"],
  ])("POST /v1/events: %s is a 422 naming the field", async (_label, body, path) => {
    const { text } = await refused(tenant, () => rawJson(tenant, "/v1/events", body), 422);
    names(text, path);
  });

  it("POST /v1/events/batch: one bad event is a 422 naming its index", async () => {
    const body = '{"events": [{"type": "a.b"}, {"type": "a.b", "message": "\\ud800"}]}';
    const { text } = await refused(tenant, () => rawJson(tenant, "/v1/events/batch", body), 422);
    names(text, "events[1].message");
  });

  it("a well-formed pair and other control characters are stored as sent", async () => {
    const answer = await expectJson<{ id: string }>(
      await rawJson(tenant, "/v1/events", '{"type": "a.b", "summary": "\\ud83d\\ude00 tab\\there \\u0001"}'),
      201,
    );
    const stored = await expectJson(await call(tenant, "read", "GET", `/v1/events/${answer.id}`), 200);
    expect(stored.summary).toBe("😀 tab\there \u0001");
  });

  it("WorkOS: a lone surrogate anywhere is refused", async () => {
    for (const body of [
      workosBody({}, '"org_\\ud800"'),
      workosBody({ actor: '{"id": "u_1", "type": "user", "name": "\\udc00"}' }),
      workosBody({ metadata: '{"k": "\\ud800"}' }),
      workosBody({ context: '{"location": "\\u0000"}' }),
    ]) {
      await refused(tenant, () => rawJson(tenant, "/audit_logs/events", body), 422);
    }
  });

  it("Retraced: a lone surrogate anywhere is refused", async () => {
    for (const body of [
      retracedBody({ description: '"\\ud800"' }),
      retracedBody({ actor: '{"id": "u_1", "name": "\\udc00"}' }),
      retracedBody({ fields: '{"\\ud800": "x"}' }),
      retracedBody({ group: '{"id": "g\\u0000"}' }),
    ]) {
      await refused(tenant, () => rawJson(tenant, retracedPath(tenant), body), 400);
    }
    const bulk = `{"events": [${retracedBody()}, ${retracedBody({ description: '"\\udc00"' })}]}`;
    const { text } = await refused(tenant, () => rawJson(tenant, retracedPath(tenant, true), bulk), 400);
    names(text, "events[1].description");
  });
});

describe("numbers beyond a double", () => {
  it.each([
    ["/v1/events", '{"type": "a.b", "metadata": {"n": 1e309}}', "metadata.n"],
    ["/v1/events", '{"type": "a.b", "changes": {"amount": [-1e309, 1]}}', "changes.amount[0]"],
    ["/v1/events", '{"type": "a.b", "request": {"query": {"page": 1e400}}}', "request.query.page"],
    ["/v1/events/batch", '{"events": [{"type": "a.b", "metadata": {"n": 1e309}}]}', "events[0].metadata.n"],
  ])("%s %s is a 422", async (path, body, field) => {
    const { text } = await refused(tenant, () => rawJson(tenant, path, body), 422);
    names(text, field);
  });

  it("the compatible endpoints refuse them too", async () => {
    await refused(tenant, () => rawJson(tenant, "/audit_logs/events", workosBody({ metadata: '{"n": 1e309}' })), 422);
    await refused(tenant, () => rawJson(tenant, retracedPath(tenant), retracedBody({ fields: '{"n": 1e309}' })), 400);
  });
});

describe("JSON nested past the depth limit", () => {
  it.each([
    ["metadata, 1,000 levels", `{"type": "a.b", "metadata": {"x": ${deep(1000)}}}`, /^metadata\.x(\[0\])+$/],
    ["metadata, 5,000 levels", `{"type": "a.b", "metadata": {"x": ${deep(5000)}}}`, /^metadata\.x/],
    ["changes, 5,000 objects", `{"type": "a.b", "changes": {"x": [${deepObject(5000)}, 1]}}`, /^changes\.x\[0\]/],
    ["request.body", `{"type": "a.b", "request": {"body": ${deepObject(1000)}}}`, /^request\.body/],
    [
      "request.body sent as JSON text",
      JSON.stringify({ type: "a.b", request: { body: deep(20_000) } }),
      /^request\.body$/,
    ],
  ])("POST /v1/events: %s is a 422 before redaction", async (_label, body, path) => {
    const { text } = await refused(tenant, () => rawJson(tenant, "/v1/events", body), 422);
    const problem = JSON.parse(text) as { errors: { path: string; message: string }[] };
    expect(problem.errors[0]?.path).toMatch(path);
    expect(problem.errors[0]?.message).toContain("32 levels");
  });

  it("in a batch, the event's index is named", async () => {
    const body = `{"events": [{"type": "a.b"}, {"type": "a.b", "metadata": {"x": ${deep(1000)}}}]}`;
    const { text } = await refused(tenant, () => rawJson(tenant, "/v1/events/batch", body), 422);
    expect(text).toContain("events[1].metadata.x");
  });

  it("accepts values exactly at the limit", async () => {
    // metadata.x is level 1, so 32 nested arrays are allowed and 33 are not.
    await expectJson(await rawJson(tenant, "/v1/events", `{"type": "a.b", "metadata": {"x": ${deep(32)}}}`), 201);
    await refused(tenant, () => rawJson(tenant, "/v1/events", `{"type": "a.b", "metadata": {"x": ${deep(33)}}}`), 422);
  });
});

describe("a malformed Content-Type", () => {
  it.each([
    ["/v1/events", '{"type": "a.b"}'],
    ["/v1/events/batch", '{"events": [{"type": "a.b"}]}'],
    ["/audit_logs/events", workosBody()],
  ])("%s with application/json;;; is a 415 (or the compatible API's 400)", async (path, body) => {
    for (const type of ["application/json;;;", "application/json;", "application/json; charset", "application/jsonx"]) {
      await refused(
        tenant,
        () => rawJson(tenant, path, body, { "Content-Type": type }),
        (s) => s === 415 || s === 400,
      );
    }
  });

  it("exports and Retraced refuse it too; parameters that are well formed are fine", async () => {
    await refused(
      tenant,
      () => rawJson(tenant, "/v1/exports", '{"format": "csv"}', { "Content-Type": "application/json;;;" }, "read"),
      415,
    );
    await refused(
      tenant,
      () => rawJson(tenant, retracedPath(tenant), retracedBody(), { "Content-Type": "application/json;;;" }),
      415,
    );
    await expectJson(
      await rawJson(tenant, "/v1/events", '{"type": "a.b"}', { "Content-Type": "application/json; charset=utf-8" }),
      201,
    );
  });
});

describe("impossible dates", () => {
  it.each(["2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-04-31T10:00:00+02:00", "2026-01-01T10:00:60Z"])(
    "occurred_at %s is a 422 everywhere events come in",
    async (time) => {
      await refused(tenant, () => rawJson(tenant, "/v1/events", `{"type": "a.b", "occurred_at": "${time}"}`), 422);
      const batch = `{"events": [{"type": "a.b", "occurred_at": "${time}"}]}`;
      const { text } = await refused(tenant, () => rawJson(tenant, "/v1/events/batch", batch), 422);
      names(text, "events[0].occurred_at");
      const workos = await refused(
        tenant,
        () => rawJson(tenant, "/audit_logs/events", workosBody({ occurred_at: `"${time}"` })),
        422,
      );
      names(workos.text, "event.occurred_at");
      const retraced = await refused(
        tenant,
        () => rawJson(tenant, retracedPath(tenant), retracedBody({ created: `"${time}"` })),
        400,
      );
      names(retraced.text, "created");
    },
  );

  it.each([
    "from=2026-02-30",
    "to=2026-02-29",
    "from=2026-01-01T24:00",
    `query=${encodeURIComponent("after:2026-02-30")}`,
    `query=${encodeURIComponent("before:2026-06-31T10:00")}`,
  ])("the filter %s is a 422 in lists, counts and exports", async (filter) => {
    for (const path of ["/v1/events", "/v1/events/count"]) {
      await refused(tenant, () => call(tenant, "read", "GET", `${path}?${filter}`), 422);
    }
    const [name, value] = filter.split("=") as [string, string];
    await refused(
      tenant,
      () =>
        call(tenant, "read", "POST", "/v1/exports", {
          body: { format: "csv", filters: { [name]: decodeURIComponent(value) } },
        }),
      422,
    );
  });

  it("the explorer explains a custom range with an impossible date", async () => {
    const response = await dash("GET", `/p/${tenant.project.id}/events?range=custom&from=2026-02-30`, { cookie });
    const html = await response.text();
    expect(html).toContain("is not a date or time");
  });
});

describe("NUL in query parameters", () => {
  const nul = "a%00b";

  it.each(["q", "query", "type", "actor_id", "from", "cursor", "limit"])(
    "?%s= with a NUL is a 422 naming it, in lists and counts",
    async (name) => {
      for (const path of ["/v1/events", "/v1/events/count"]) {
        const { text } = await refused(tenant, () => call(tenant, "read", "GET", `${path}?${name}=${nul}`), 422);
        names(text, name);
      }
    },
  );

  it("exports refuse a NUL in any filter, and log no export.created", async () => {
    for (const name of ["q", "query", "type", "organization_id", "from"]) {
      const { text } = await refused(
        tenant,
        () =>
          call(tenant, "read", "POST", "/v1/exports", {
            body: { format: "jsonl", filters: { [name]: "a\u0000b" } },
          }),
        422,
      );
      names(text, `filters.${name}`);
    }
    expect((await storedEvents(tenant.project.id)).filter((e) => e.type === "export.created")).toEqual([]);
  });

  it("WorkOS exports refuse it in any field", async () => {
    const body = { organization_id: "org_1", range_start: "2026-01-01T00:00:00Z", range_end: "2026-02-01T00:00:00Z" };
    for (const changed of [{ organization_id: "o\u0000" }, { actor_names: ["J\u0000"] }, { actions: ["\ud800"] }]) {
      await refused(
        tenant,
        () => call(tenant, "read", "POST", "/audit_logs/exports", { body: { ...body, ...changed } }),
        422,
      );
    }
  });

  it("every explorer page refuses it with a readable message", async () => {
    const base = `/p/${tenant.project.id}`;
    for (const page of ["events", "rows", "count", "events/seed_1", "suggest/actor_id", "exports/new"]) {
      for (const name of ["search", "type", "from", "actor_id", "cursor"]) {
        const { status, text } = await refused(tenant, () =>
          dash("GET", `${base}/${page}?range=custom&${name}=${nul}`, {
            cookie,
            headers: { "HX-Request": "true", "HX-Target": "counter" },
          }),
        );
        expect(status, `${page} ${name}`).toBe(422);
        expect(text).toContain("NUL character");
      }
    }
    const { text } = await refused(tenant, () => dash("GET", `${base}/events?search=${nul}`, { cookie }), 422);
    expect(text).toMatch(/<!DOCTYPE html>/i);
  });
});

describe("the compatible endpoints use the event schema of /v1/events", () => {
  it("WorkOS: an action with characters a type may not have is a 422 naming event.action", async () => {
    for (const action of ['"<script>alert(1)</script>"', '"user\\nsigned_in"', `"${"x".repeat(129)}"`]) {
      const { text } = await refused(tenant, () => rawJson(tenant, "/audit_logs/events", workosBody({ action })), 422);
      names(text, "event.action");
    }
  });

  it("Retraced: a bad action, a 1,000-character target type or a bad actor is a 400 naming its field", async () => {
    for (const [fields, field] of [
      [{ action: '"<b>deleted</b>"' }, "action"],
      [{ action: '"document viewed!"' }, "action"],
      [{ target: `{"id": "d_1", "type": "${"t".repeat(1000)}"}` }, "target.type"],
      [{ target: '{"id": "d_1", "type": "has space"}' }, "target.type"],
    ] as const) {
      const { text } = await refused(tenant, () => rawJson(tenant, retracedPath(tenant), retracedBody(fields)), 400);
      names(text, field);
    }
    const bulk = `{"events": [${retracedBody()}, ${retracedBody({ action: '"<x>"' })}]}`;
    const { text } = await refused(tenant, () => rawJson(tenant, retracedPath(tenant, true), bulk), 400);
    names(text, "events[1].action");
  });

  it("Retraced: events more than five minutes ahead are refused naming created", async () => {
    const created = `"${new Date(Date.now() + 3_600_000).toISOString()}"`;
    const { text } = await refused(tenant, () => rawJson(tenant, retracedPath(tenant), retracedBody({ created })), 400);
    names(text, "created");
  });

  it("valid events from both still store", async () => {
    const before = (await footprint(tenant.project.id)).events;
    await expectJson(await rawJson(tenant, "/audit_logs/events", workosBody()), 201);
    await expectJson(await rawJson(tenant, retracedPath(tenant), retracedBody()), 201);
    expect((await footprint(tenant.project.id)).events).toBe(before + 2);
  });
});

describe("export.created is written only for an accepted export", () => {
  const exportCreated = async () =>
    (await storedEvents(tenant.project.id)).filter((e) => e.type === "export.created").length;

  it("filters too large for one query are a 422 before anything is logged", async () => {
    const before = await exportCreated();
    const many = Array.from({ length: 150 }, (_, i) => `t${i}.*`).join(",");
    for (const filters of [
      { type: many },
      { category: Array.from({ length: 120 }, (_, i) => `c${i}`).join(",") },
      { query: Array.from({ length: 30 }, (_, i) => `actor:a${i},b${i}`).join(" ") },
    ]) {
      const { text } = await refused(
        tenant,
        () => call(tenant, "read", "POST", "/v1/exports", { body: { format: "csv", filters } }),
        422,
      );
      expect(text).toContain("in one query");
    }
    // The same from the dashboard's export form.
    await refused(
      tenant,
      () => dash("POST", `/p/${tenant.project.id}/exports`, { cookie, form: { format: "csv", type: many } }),
      422,
    );
    expect(await exportCreated()).toBe(before);
  });

  it("an accepted export is logged once, and its total counts its own event", async () => {
    const before = await exportCreated();
    const created = await expectJson<{ id: string; task_id: string }>(
      await call(tenant, "read", "POST", "/v1/exports", {
        body: { format: "csv", filters: { type: "export.*" } },
      }),
      202,
    );
    expect(await exportCreated()).toBe(before + 1);
    const task = await expectJson<{ total: number }>(
      await call(tenant, "read", "GET", `/v1/tasks/${created.task_id}`),
      200,
    );
    expect(task.total).toBe(before + 1);
  });
});

describe("list and count filters the database could not run", () => {
  it.each([
    `category=${Array.from({ length: 200 }, (_, i) => `c${i}`).join(",")}`,
    `changed=${Array.from({ length: 120 }, (_, i) => `f${i}`).join(",")}`,
    `query=${encodeURIComponent(Array.from({ length: 30 }, (_, i) => `actor:a${i},b${i}`).join(" "))}`,
  ])("%s is a 422, not a 500", async (filter) => {
    for (const path of ["/v1/events", "/v1/events/count"]) {
      await refused(tenant, () => call(tenant, "read", "GET", `${path}?${filter}`), 422);
    }
    const page = await dash("GET", `/p/${tenant.project.id}/events?range=all&${filter.replace("query=", "search=")}`, {
      cookie,
    });
    const html = await page.text();
    expect(page.status, html.slice(0, 300)).toBeLessThan(500);
    expect(html).toContain("in one query");
  });
});
