import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EventInput } from "../../../src/services/events/schema";
import { recordEvents } from "../../../src/services/ingest/record";
import { createStream, StreamInput } from "../../../src/services/streams/manage";
import {
  api,
  createTenant,
  expectAuthorisation,
  expectJson,
  expectProblem,
  keyContext,
  projectContext,
  storedRowsText,
  type Tenant,
} from "../../fixtures";

type StreamView = {
  id: string;
  name: string;
  destination: Record<string, unknown> & { type: string; endpoint_url: string };
  filter: string;
  format: string;
  state: string;
  cursor: string;
  secret?: string;
  health: { lag_events: number; lag_seconds: number; last_delivered_at: string | null; last_error: string | null };
};

const splunk = {
  name: "Splunk",
  destination: {
    type: "splunk_hec",
    url: "https://splunk.example.com:8088",
    token: "hec-secret-token",
    index: "audit",
  },
  filter: "category:auth",
  format: "ocsf",
};

async function create(tenant: Tenant, body: unknown) {
  return api("POST", "/v1/streams", { key: tenant.keys.admin, body });
}

describe("the streams API", () => {
  it("creates, lists, reads, changes and deletes streams; secrets are never shown, every change is logged", async () => {
    const tenant = await createTenant();
    const created = await expectJson<StreamView>(await create(tenant, splunk), 201);
    expect(created).toMatchObject({
      name: "Splunk",
      destination: {
        type: "splunk_hec",
        url: "https://splunk.example.com:8088",
        index: "audit",
        endpoint_url: "https://splunk.example.com:8088/services/collector/event",
      },
      filter: "category:auth",
      format: "ocsf",
      state: "active",
      health: { lag_events: 0, lag_seconds: 0, last_delivered_at: null, last_error: null },
    });
    expect(JSON.stringify(created)).not.toContain("hec-secret-token");
    expect(created.secret).toBeUndefined();

    const https = await expectJson<StreamView>(
      await create(tenant, { name: "Receiver", destination: { type: "https", url: "https://siem.example/in" } }),
      201,
    );
    expect(https.secret).toMatch(/^whsec_/);

    const page1 = await expectJson<{ data: StreamView[]; next_cursor: string }>(
      await api("GET", "/v1/streams?limit=1", { key: tenant.keys.admin }),
      200,
    );
    expect(page1.data.map((s) => s.id)).toEqual([https.id]);
    const page2 = await expectJson<{ data: StreamView[]; next_cursor: string | null }>(
      await api("GET", `/v1/streams?limit=1&cursor=${page1.next_cursor}`, { key: tenant.keys.admin }),
      200,
    );
    expect(page2.data.map((s) => s.id)).toEqual([created.id]);
    expect(page2.next_cursor).toBeNull();
    expect(JSON.stringify(page1)).not.toContain("whsec_");

    // Lag: auth events past the stream's position (the filter applies).
    await recordEvents(
      projectContext(tenant.project),
      [
        { type: "user.login", category: "auth" },
        { type: "user.logout", category: "auth" },
        { type: "payout.created", category: "payment" },
      ].map((e) => EventInput.parse(e)),
      { batch: true },
    );
    const one = await expectJson<StreamView>(
      await api("GET", `/v1/streams/${created.id}`, { key: tenant.keys.admin }),
      200,
    );
    expect(one.health.lag_events).toBe(2);
    expect(one.health.lag_seconds).toBeGreaterThanOrEqual(0);

    // A new destination of the same type keeps its token when none is given.
    const changed = await expectJson<StreamView>(
      await api("PATCH", `/v1/streams/${created.id}`, {
        key: tenant.keys.admin,
        body: {
          name: "Splunk Cloud",
          destination: { type: "splunk_hec", url: "https://hec.splunk.example" },
          state: "paused",
        },
      }),
      200,
    );
    expect(changed).toMatchObject({
      name: "Splunk Cloud",
      state: "paused",
      destination: { url: "https://hec.splunk.example" },
    });
    // Another type needs its own secret.
    const missing = await expectProblem(
      await api("PATCH", `/v1/streams/${created.id}`, {
        key: tenant.keys.admin,
        body: { destination: { type: "datadog", site: "datadoghq.eu" } },
      }),
      422,
    );
    expect(missing.errors).toEqual([{ path: "destination.api_key", message: "is required" }]);
    const resumed = await expectJson<StreamView>(
      await api("PATCH", `/v1/streams/${created.id}`, { key: tenant.keys.admin, body: { state: "active" } }),
      200,
    );
    expect(resumed.state).toBe("active");

    expect((await api("DELETE", `/v1/streams/${https.id}`, { key: tenant.keys.admin })).status).toBe(204);
    await expectProblem(await api("GET", `/v1/streams/${https.id}`, { key: tenant.keys.admin }), 404);

    const logged = await expectJson<{ data: { type: string; changes?: Record<string, unknown> }[] }>(
      await api("GET", "/v1/events?category=configuration&type=log_stream.*&limit=50", { key: tenant.keys.read }),
      200,
    );
    expect(logged.data.map((e) => e.type).sort()).toEqual(
      [
        "log_stream.created",
        "log_stream.created",
        "log_stream.deleted",
        "log_stream.paused",
        "log_stream.resumed",
      ].sort(),
    );
    const paused = logged.data.find((e) => e.type === "log_stream.paused");
    expect(paused?.changes).toMatchObject({ name: ["Splunk", "Splunk Cloud"], state: ["active", "paused"] });
    const stored = await storedRowsText(tenant.project.id);
    expect(stored).not.toContain("hec-secret-token");
    expect(stored).not.toContain(https.secret);
  });

  it("test and replay", async () => {
    const tenant = await createTenant();
    const created = await expectJson<StreamView>(await create(tenant, splunk), 201);
    const tested = await api("POST", `/v1/streams/${created.id}/test`, { key: tenant.keys.admin });
    expect(tested.status).toBe(202);
    const replayed = await expectJson<StreamView>(
      await api("POST", `/v1/streams/${created.id}/replay`, {
        key: tenant.keys.admin,
        body: { from: "2026-01-01T00:00:00Z" },
      }),
      202,
    );
    expect(replayed.cursor).not.toBe(created.cursor);
    const feed = await expectJson<{ next_cursor: string }>(
      await api("GET", "/v1/events/feed", { key: tenant.keys.read }),
      200,
    );
    const again = await expectJson<StreamView>(
      await api("POST", `/v1/streams/${created.id}/replay`, {
        key: tenant.keys.admin,
        body: { cursor: feed.next_cursor },
      }),
      202,
    );
    expect(again.cursor).toBe(feed.next_cursor);
    for (const body of [
      {},
      { from: "2026-01-01", cursor: feed.next_cursor },
      { from: "2026-02-30" },
      { cursor: "nope" },
    ])
      await expectProblem(await api("POST", `/v1/streams/${created.id}/replay`, { key: tenant.keys.admin, body }), 422);
  });

  it("refuses invalid streams with a 422 naming the field, a sixth with a 409, and stores nothing", async () => {
    const tenant = await createTenant();
    const bad: [unknown, string][] = [
      [{ ...splunk, destination: { ...splunk.destination, token: undefined } }, "destination.token"],
      [{ ...splunk, filter: "colour:red" }, "filter"],
      [{ ...splunk, destination: { ...splunk.destination, url: "ftp://x.example" } }, "destination.url"],
      [{ ...splunk, destination: { type: "datadog", site: "example.com", api_key: "k" } }, "destination.site"],
      [
        {
          ...splunk,
          destination: {
            type: "s3",
            endpoint: "https://s3.example",
            bucket: "B!",
            access_key_id: "A",
            secret_access_key: "s",
          },
        },
        "destination.bucket",
      ],
      [{ ...splunk, format: "cef" }, "format"],
      [{ ...splunk, state: "disabled" }, "state"],
      [{ ...splunk, colour: "red" }, "(body)"],
      [{ ...splunk, name: "" }, "name"],
      [{ ...splunk, name: "a\u0000b" }, "name"],
    ];
    for (const [body, path] of bad) {
      const problem = await expectProblem(await create(tenant, body), 422);
      expect(problem.errors.map((e) => e.path)).toContain(path);
    }
    for (let i = 0; i < 5; i++) await expectJson(await create(tenant, { ...splunk, name: `S${i}` }), 201);
    await expectProblem(await create(tenant, splunk), 409);
    const list = await expectJson<{ data: unknown[] }>(
      await api("GET", "/v1/streams", { key: tenant.keys.admin }),
      200,
    );
    expect(list.data).toHaveLength(5);
  });

  it("applies the outbound URL policy in production: no private or internal hosts, https only", async () => {
    const tenant = await createTenant();
    const ctx = { ...(await keyContext(tenant)) };
    const production = { ...ctx, config: { ...ctx.config, ENVIRONMENT: "production" as const } };
    for (const url of [
      "http://siem.example/in",
      "https://127.0.0.1/in",
      "https://siem.internal/in",
      "https://10.1.2.3:8088",
    ]) {
      await expect(
        createStream(production, StreamInput.parse({ name: "x", destination: { type: "https", url } })),
      ).rejects.toThrow(/destination\.url/);
    }
    await expect(
      createStream(
        production,
        StreamInput.parse({
          name: "x",
          destination: {
            type: "s3",
            endpoint: "https://169.254.169.254",
            bucket: "logs",
            access_key_id: "A",
            secret_access_key: "s",
          },
        }),
      ),
    ).rejects.toThrow(/destination\.endpoint/);
    const ok = await createStream(
      production,
      StreamInput.parse({ name: "x", destination: { type: "https", url: "https://siem.example/in" } }),
    );
    expect(ok.stream.state).toBe("active");
  });

  it("needs an admin key; another project's stream is a 404", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const theirs = await expectJson<StreamView>(await create(other, splunk), 201);
    await expectAuthorisation((key) => api("GET", "/v1/streams", { key }), tenant, ["ingest", "read"]);
    await expectAuthorisation((key) => api("POST", "/v1/streams", { key, body: splunk }), tenant, ["ingest", "read"]);
    await expectAuthorisation(
      (key) => api("POST", `/v1/streams/${theirs.id}/replay`, { key, body: { from: "2026-01-01" } }),
      tenant,
      ["ingest", "read"],
    );
    for (const [method, path, body] of [
      ["GET", `/v1/streams/${theirs.id}`, undefined],
      ["PATCH", `/v1/streams/${theirs.id}`, { name: "mine" }],
      ["DELETE", `/v1/streams/${theirs.id}`, undefined],
      ["POST", `/v1/streams/${theirs.id}/test`, undefined],
      ["POST", `/v1/streams/${theirs.id}/replay`, { from: "2026-01-01" }],
    ] as const)
      await expectProblem(await api(method, path, { key: tenant.keys.admin, body }), 404);
    const still = await expectJson<StreamView>(
      await api("GET", `/v1/streams/${theirs.id}`, { key: other.keys.admin }),
      200,
    );
    expect(still.name).toBe("Splunk");
    expect(env.ENVIRONMENT).toBe("test");
  });

  it("is described in the OpenAPI document", async () => {
    const doc = await expectJson<{ paths: Record<string, Record<string, unknown>> }>(
      await api("GET", "/v1/openapi.json"),
      200,
    );
    expect(Object.keys(doc.paths["/v1/streams"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/streams/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.paths["/v1/streams/{id}/replay"]?.post).toBeDefined();
    expect(doc.paths["/v1/streams/{id}/test"]?.post).toBeDefined();
    expect(doc.paths["/v1/events/feed"]?.get).toBeDefined();
  });
});
