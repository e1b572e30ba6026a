import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { handleQueue } from "../../../src/queues/consumer";
import { subscribed } from "../../../src/services/ingest/fanout";
import { recordEvents } from "../../../src/services/ingest/record";
import { RETRY_SCHEDULE_SECONDS, retryDelaySeconds } from "../../../src/services/webhooks/deliver";
import { createEndpoint } from "../../../src/services/webhooks/endpoints";
import { sign } from "../../../src/services/webhooks/signature";
import { PENDING_STALE_MS, sweepSendouts } from "../../../src/services/webhooks/sweep";
import { webhookUrlProblem } from "../../../src/services/webhooks/url";
import {
  api,
  createMember,
  createTenant,
  expectJson,
  expectProblem,
  keyContext,
  projectContext,
  shardOf,
  storedEvents,
  systemContext,
  type Tenant,
} from "../../fixtures";

type SendoutView = {
  id: string;
  event_id: string;
  status: string;
  attempt_count: number;
  attempts?: {
    trigger: string;
    response_status: number | null;
    error: string | null;
    request_headers: Record<string, string>;
  }[];
};

/** A receiver at the endpoint URL: records requests and answers from a script. */
function receiver(answers: (Response | Error)[]) {
  const received: { headers: Record<string, string>; body: string }[] = [];
  const fetch = async (request: Request) => {
    const body = await request.text();
    received.push({ headers: Object.fromEntries(request.headers), body });
    const next = answers.shift() ?? new Response("ok");
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, received };
}

async function deliver(fetch: (r: Request) => Promise<Response>, sendoutId: string, attempts = 1, trigger = "auto") {
  const batch = createMessageBatch("trailbook-webhooks", [
    { id: `m_${attempts}`, timestamp: new Date(), attempts, body: { kind: "webhook.deliver", sendoutId, trigger } },
  ]);
  // The delay each retry asks the queue for, as the consumer passes it.
  const delays: (number | undefined)[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays.push(options?.delaySeconds);
      retry(options);
    };
  }
  await handleQueue(batch, env, { fetch });
  return { ...(await getQueueResult(batch, createExecutionContext())), delays };
}

async function setup(types: string[] = ["*"]): Promise<{ tenant: Tenant; endpointId: string; secret: string }> {
  const tenant = await createTenant();
  const created = await expectJson<{ id: string; secret: string; enabled: boolean }>(
    await api("POST", "/v1/webhooks", {
      key: tenant.keys.admin,
      body: { url: "https://receiver.example/hooks", description: "CRM", event_types: types },
    }),
    201,
  );
  expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
  return { tenant, endpointId: created.id, secret: created.secret };
}

async function sendoutsOf(tenant: Tenant, query = ""): Promise<SendoutView[]> {
  return (
    await expectJson<{ data: SendoutView[] }>(
      await api("GET", `/v1/webhook-sendouts${query}`, { key: tenant.keys.read }),
      200,
    )
  ).data;
}

/** The project's webhook outbox rows on its shard (deliveries owed, not yet relayed to sendouts). */
async function outboxRows(tenant: Tenant): Promise<number> {
  const { d1, pn } = shardOf(tenant.project);
  return (await d1.prepare("SELECT count(*) AS n FROM webhook_outbox WHERE pn = ?").bind(pn).first<number>("n")) ?? 0;
}

async function sendout(tenant: Tenant, id: string): Promise<SendoutView> {
  return expectJson<SendoutView>(await api("GET", `/v1/webhook-sendouts/${id}`, { key: tenant.keys.read }), 200);
}

describe("signatures and matching", () => {
  it("matches the Standard Webhooks test vector", async () => {
    expect(
      await sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("subscribes to *, prefixes and exact types", () => {
    expect(subscribed(["*"], "anything")).toBe(true);
    expect(subscribed(["commission.*"], "commission.updated")).toBe(true);
    expect(subscribed(["commission.*"], "commissioner.added")).toBe(false);
    expect(subscribed(["payout.created"], "payout.created")).toBe(true);
    expect(subscribed(["payout.created"], "payout.updated")).toBe(false);
  });

  it("schedules retries at 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with jitter, or as Retry-After says", () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(retryDelaySeconds(2, null, () => 0)).toBe(270);
    expect(retryDelaySeconds(2, null, () => 0.999)).toBe(330);
    expect(retryDelaySeconds(1, "120", () => 0.5)).toBe(120);
    expect(
      retryDelaySeconds(
        1,
        new Date(Date.parse("2026-01-01T00:01:00Z")).toUTCString(),
        () => 0.5,
        Date.parse("2026-01-01T00:00:00Z"),
      ),
    ).toBe(60);
  });
});

describe("SSRF", () => {
  it.each([
    "http://hooks.example.com/x",
    "https://127.0.0.1/x",
    "https://10.1.2.3/x",
    "https://172.16.0.1/x",
    "https://192.168.1.1/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/x",
    "https://[fd00::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://localhost/x",
    "https://db.internal/x",
    "https://intranet/x",
    "https://user:pass@hooks.example.com/x",
    "not a url",
  ])("refuses %s in production", (url) => {
    expect(webhookUrlProblem(url, false)).toBeDefined();
  });

  it("accepts public https URLs, and local ones in development only", async () => {
    expect(webhookUrlProblem("https://hooks.example.com/trailbook", false)).toBeUndefined();
    expect(webhookUrlProblem("https://93.184.216.34/x", false)).toBeUndefined();
    expect(webhookUrlProblem("http://localhost:3000/hooks", true)).toBeUndefined();
    const tenant = await createTenant();
    const inProduction = await keyContext(tenant, "admin", { ...env, ENVIRONMENT: "production" } as Env);
    await expect(
      createEndpoint(inProduction, {
        url: "https://127.0.0.1/hook",
        description: "",
        event_types: ["*"],
        enabled: true,
      }),
    ).rejects.toThrow(/private, loopback or link-local/);
  });
});

describe("SSRF at delivery (production)", () => {
  const production = { ...env, ENVIRONMENT: "production" } as Env;

  async function deliverInProduction(
    fetch: (r: Request) => Promise<Response>,
    resolve: (name: string) => Promise<string[]>,
    sendoutId: string,
  ) {
    const batch = createMessageBatch("trailbook-webhooks", [
      { id: "p1", timestamp: new Date(), attempts: 1, body: { kind: "webhook.deliver", sendoutId, trigger: "auto" } },
    ]);
    await handleQueue(batch, production, { fetch, resolve });
    return getQueueResult(batch, createExecutionContext());
  }

  async function oneSendout() {
    const { tenant, endpointId } = await setup();
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e1", type: "email.sent" } }),
      201,
    );
    const [target] = await sendoutsOf(tenant, "?event_id=e1");
    if (!target) throw new Error("no sendout");
    return { tenant, endpointId, target };
  }

  it("refuses a host that resolves to a private address: one failed attempt with the reason, no retry", async () => {
    const { tenant, target } = await oneSendout();
    const asked: string[] = [];
    const { fetch, received } = receiver([]);
    const result = await deliverInProduction(
      fetch,
      async (name) => {
        asked.push(name);
        return ["93.184.216.34", "169.254.169.254"];
      },
      target.id,
    );
    expect(asked).toEqual(["receiver.example"]);
    expect(received).toHaveLength(0);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(["p1"]);
    const view = await sendout(tenant, target.id);
    expect(view.status).toBe("error");
    expect(view.attempts).toHaveLength(1);
    expect(view.attempts?.[0]?.response_status).toBeNull();
    expect(view.attempts?.[0]?.error).toMatch(/receiver\.example resolves to 169\.254\.169\.254, which is link-local/);
  });

  it("refuses a stored URL the save-time rules now refuse, without a lookup", async () => {
    const { tenant, endpointId, target } = await oneSendout();
    await env.DB.prepare("UPDATE webhook_endpoints SET url = 'https://[::ffff:7f00:1]/h' WHERE id = ?")
      .bind(endpointId)
      .run();
    const { fetch, received } = receiver([]);
    await deliverInProduction(
      fetch,
      async () => {
        throw new Error("no lookup expected");
      },
      target.id,
    );
    expect(received).toHaveLength(0);
    const view = await sendout(tenant, target.id);
    expect(view.status).toBe("error");
    expect(view.attempts?.[0]?.error).toMatch(/IPv4-mapped/);
  });

  it("delivers to public answers, and retries when the name does not resolve", async () => {
    const { tenant, target } = await oneSendout();
    const first = await deliverInProduction(receiver([]).fetch, async () => [], target.id);
    expect(first.retryMessages.map((m) => m.msgId)).toEqual(["p1"]);
    expect((await sendout(tenant, target.id)).attempts?.[0]?.error).toMatch(/does not resolve/);
    const { fetch, received } = receiver([new Response("ok")]);
    await deliverInProduction(fetch, async () => ["93.184.216.34", "2606:2800:220:1::1"], target.id);
    expect(received).toHaveLength(1);
    expect((await sendout(tenant, target.id)).status).toBe("sent");
  });

  it("does not follow a redirect: the 3xx is a failed attempt, sent once", async () => {
    const { tenant, target } = await oneSendout();
    const requests: Request[] = [];
    const fetch = async (request: Request) => {
      requests.push(request);
      return new Response(null, { status: 302, headers: { Location: "http://127.0.0.1:8080/admin" } });
    };
    const result = await deliverInProduction(fetch, async () => ["93.184.216.34"], target.id);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.redirect).toBe("manual");
    expect(requests[0]?.url).toBe("https://receiver.example/hooks");
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["p1"]);
    const view = await sendout(tenant, target.id);
    expect(view.status).toBe("retry");
    expect(view.attempts?.[0]).toMatchObject({
      response_status: 302,
      error: "answered 302: redirects are not followed",
    });
  });
});

describe("fan-out and delivery", () => {
  it("creates one sendout per matching endpoint, signed so a Standard Webhooks receiver verifies it", async () => {
    const { tenant, secret } = await setup(["commission.*"]);
    await expectJson(
      await api("POST", "/v1/webhooks", {
        key: tenant.keys.admin,
        body: { url: "https://other.example/h", event_types: ["payout.created"], enabled: false },
      }),
      201,
    );
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "c1", type: "commission.updated", request: { id: "req_9" } },
            { id: "p1", type: "payout.created" },
            { id: "c2", type: "commission.created" },
          ],
        },
      }),
      201,
    );
    // A duplicate is not a new event: no new sendout.
    await expectJson(
      await api("POST", "/v1/events", {
        key: tenant.keys.ingest,
        body: { id: "c1", type: "commission.updated", request: { id: "req_9" } },
      }),
      201,
    );
    const list = await sendoutsOf(tenant);
    expect(list.map((s) => s.status)).toEqual(["pending", "pending"]);
    // Written to the shard's outbox with the events, and relayed to sendouts right after.
    expect(await outboxRows(tenant)).toBe(0);
    expect((await sendoutsOf(tenant, "?request_id=req_9")).length).toBe(1);
    expect((await sendoutsOf(tenant, "?event_id=c2")).length).toBe(1);

    const target = (await sendoutsOf(tenant, "?event_id=c1"))[0];
    if (!target) throw new Error("no sendout for c1");
    const { fetch, received } = receiver([new Response("thanks", { status: 200 })]);
    const result = await deliver(fetch, target.id);
    expect(result.explicitAcks).toEqual(["m_1"]);
    const [request] = received;
    if (!request) throw new Error("nothing was delivered");
    expect(request.headers["webhook-id"]).toBe(target.id);
    const verified = new Webhook(secret).verify(request.body, request.headers) as {
      type: string;
      data: { id: string };
    };
    expect(verified).toMatchObject({ type: "commission.updated", data: { id: "c1" } });
    expect(() => new Webhook(secret).verify(request.body.replace("c1", "c9"), request.headers)).toThrow();
    const done = await sendout(tenant, target.id);
    expect(done).toMatchObject({ status: "sent", attempt_count: 1 });
    expect(done.attempts?.[0]).toMatchObject({ trigger: "auto", response_status: 200, error: null });
    expect(done.attempts?.[0]?.request_headers["webhook-signature"]).toBe("v1,…");

    // The same message delivered again after success sends nothing.
    const again = await deliver(fetch, target.id, 2);
    expect(again.explicitAcks).toEqual(["m_2"]);
    expect(received).toHaveLength(1);
  });

  it("relays outbox rows left by an ingest whose relay failed, once, on the next sweep", async () => {
    const { tenant, secret } = await setup(["a.*"]);
    // The control database fails every batch, as when it is unreachable right after the commit.
    const failing = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return () => Promise.reject(new Error("control database unavailable"));
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const [stored] = await recordEvents(
      projectContext(tenant.project, { ...env, DB: failing }),
      [{ id: "s1", type: "a.b", category: "activity" }],
      { batch: false },
    );
    errors.mockRestore();
    expect(stored).toMatchObject({ id: "s1", duplicate: false });
    expect(await outboxRows(tenant)).toBe(1);
    expect(await sendoutsOf(tenant, "?event_id=s1")).toEqual([]);

    // Rows younger than a minute may be an ingest's relay under way: left to it.
    await sweepSendouts(systemContext(), Date.now());
    expect(await outboxRows(tenant)).toBe(1);
    await sweepSendouts(systemContext(), Date.now() + PENDING_STALE_MS + 1000);
    expect(await outboxRows(tenant)).toBe(0);
    const [target] = await sendoutsOf(tenant, "?event_id=s1");
    if (!target) throw new Error("the sweep relayed no sendout");
    expect(target.status).toBe("pending");
    await sweepSendouts(systemContext(), Date.now() + PENDING_STALE_MS + 2000);
    expect(await sendoutsOf(tenant, "?event_id=s1")).toHaveLength(1);

    const { fetch, received } = receiver([new Response("ok")]);
    await deliver(fetch, target.id);
    const verified = new Webhook(secret).verify(received[0]?.body ?? "", received[0]?.headers ?? {}) as {
      data: { id: string };
    };
    expect(verified.data.id).toBe("s1");
    expect((await sendout(tenant, target.id)).status).toBe("sent");
  });

  it("retries a 500 with the scheduled delay, then succeeds; Retry-After is honoured", async () => {
    const { tenant } = await setup();
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e1", type: "email.sent" } }),
      201,
    );
    const [target] = await sendoutsOf(tenant);
    if (!target) throw new Error("no sendout");
    const { fetch } = receiver([
      new Response("boom", { status: 500 }),
      new Response("busy", { status: 503, headers: { "Retry-After": "120" } }),
      new Response(null, { status: 204 }),
    ]);
    const first = await deliver(fetch, target.id, 1);
    expect(first.retryMessages.map((m) => m.msgId)).toEqual(["m_1"]);
    expect(first.delays[0]).toBeGreaterThanOrEqual(4);
    expect(first.delays[0]).toBeLessThanOrEqual(6);
    const retrying = await env.DB.prepare(
      "SELECT status, next_attempt_at - updated_at AS delay FROM webhook_sendouts WHERE id = ?",
    )
      .bind(target.id)
      .first<{ status: string; delay: number }>();
    expect(retrying).toEqual({ status: "retry", delay: (first.delays[0] ?? 0) * 1000 });
    const second = await deliver(fetch, target.id, 2);
    expect(second.retryMessages.map((m) => m.msgId)).toEqual(["m_2"]);
    expect(second.delays).toEqual([120]);
    await deliver(fetch, target.id, 3);
    const done = await sendout(tenant, target.id);
    expect(done).toMatchObject({ status: "sent", attempt_count: 3 });
    expect(done.attempts?.map((a) => a.response_status)).toEqual([500, 503, 204]);
  });

  it("records a timeout as an attempt with its error, and gives up after the last attempt", async () => {
    const { tenant } = await setup();
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e1", type: "email.sent" } }),
      201,
    );
    const [target] = await sendoutsOf(tenant);
    if (!target) throw new Error("no sendout");
    const timeout = new DOMException("The operation timed out.", "TimeoutError");
    await deliver(receiver([timeout]).fetch, target.id);
    const view = await sendout(tenant, target.id);
    expect(view.attempts?.[0]).toMatchObject({ response_status: null, error: "timed out after 15 s" });
    await env.DB.prepare("UPDATE webhook_sendouts SET attempts = 7 WHERE id = ?").bind(target.id).run();
    const last = await deliver(receiver([new Response("no", { status: 500 })]).fetch, target.id, 8);
    expect(last.retryMessages).toEqual([]);
    expect((await sendout(tenant, target.id)).status).toBe("error");
  });

  it("disables the endpoint on 410 and after five days of failures, telling the owners", async () => {
    const { tenant, endpointId } = await setup();
    const owner = await createMember(tenant, "owner");
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e1", type: "email.sent" } }),
      201,
    );
    const [target] = await sendoutsOf(tenant);
    if (!target) throw new Error("no sendout");
    await deliver(receiver([new Response("gone", { status: 410 })]).fetch, target.id);
    const endpoint = await expectJson<{ enabled: boolean; disabled_reason: string }>(
      await api("GET", `/v1/webhooks/${endpointId}`, { key: tenant.keys.admin }),
      200,
    );
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: "The receiver answered 410 Gone." });
    expect((await sendout(tenant, target.id)).status).toBe("error");
    const notes = await env.DB.prepare("SELECT type, user_id FROM notifications WHERE project_id = ?")
      .bind(tenant.project.id)
      .all();
    expect(notes.results).toContainEqual({ type: "webhook.disabled", user_id: owner.userId });
    // No more deliveries to a disabled endpoint.
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e2", type: "email.sent" } }),
      201,
    );
    expect((await sendoutsOf(tenant, "?event_id=e2")).length).toBe(0);

    const second = await setup();
    await expectJson(
      await api("POST", "/v1/events", { key: second.tenant.keys.ingest, body: { id: "x", type: "a.b" } }),
      201,
    );
    const [failing] = await sendoutsOf(second.tenant);
    await env.DB.prepare("UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?")
      .bind(Date.now() - 6 * 24 * 3600_000, second.endpointId)
      .run();
    await deliver(receiver([new Response("down", { status: 502 })]).fetch, failing?.id ?? "");
    expect(
      (
        await expectJson<{ enabled: boolean }>(
          await api("GET", `/v1/webhooks/${second.endpointId}`, { key: second.tenant.keys.admin }),
          200,
        )
      ).enabled,
    ).toBe(false);
  });

  it("resends one sendout and recovers failed ones as new attempts on the same id", async () => {
    const { tenant, endpointId } = await setup();
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "a", type: "x.y" },
            { id: "b", type: "x.y" },
          ],
        },
      }),
      201,
    );
    // (The endpoint's own `webhook.created` event has a sendout too; these two are the ones here.)
    const all = (await sendoutsOf(tenant)).filter((s) => s.event_id === "a" || s.event_id === "b");
    for (const s of all) {
      await env.DB.prepare("UPDATE webhook_sendouts SET attempts = 7 WHERE id = ?").bind(s.id).run();
      await deliver(receiver([new Response("no", { status: 500 })]).fetch, s.id, 8);
    }
    expect(
      (await sendoutsOf(tenant, "?status=error")).filter((s) => s.event_id === "a" || s.event_id === "b").length,
    ).toBe(2);
    const [one, two] = all;
    if (!one || !two) throw new Error("expected two sendouts");
    await expectJson(await api("POST", `/v1/webhook-sendouts/${one.id}/resend`, { key: tenant.keys.admin }), 202);
    await deliver(receiver([new Response("ok")]).fetch, one.id, 1, "resend");
    const resent = await sendout(tenant, one.id);
    expect(resent.status).toBe("sent");
    expect(resent.attempts?.at(-1)?.trigger).toBe("resend");

    const recovered = await expectJson<{ resent: number }>(
      await api("POST", `/v1/webhooks/${endpointId}/recover`, {
        key: tenant.keys.admin,
        body: { since: "2020-01-01" },
      }),
      202,
    );
    expect(recovered.resent).toBe(1);
    await deliver(receiver([new Response("ok")]).fetch, two.id, 1, "recover");
    expect((await sendout(tenant, two.id)).attempts?.at(-1)?.trigger).toBe("recover");
    const types = (await storedEvents(tenant.project.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["webhook.created", "webhook.resent", "webhook.recovered"]));
  });

  it("marks a sendout error when its message lands in the dead-letter queue", async () => {
    const { tenant } = await setup();
    await expectJson(
      await api("POST", "/v1/events", { key: tenant.keys.ingest, body: { id: "e1", type: "a.b" } }),
      201,
    );
    const [target] = await sendoutsOf(tenant);
    const batch = createMessageBatch("trailbook-dead-letters", [
      {
        id: "d",
        timestamp: new Date(),
        attempts: 20,
        body: { kind: "webhook.deliver", sendoutId: target?.id, trigger: "auto" },
      },
    ]);
    await handleQueue(batch, env);
    expect((await sendout(tenant, target?.id ?? "")).status).toBe("error");
  });

  it("signs with both secrets during a rotation, and tests an endpoint", async () => {
    const { tenant, endpointId, secret } = await setup();
    const { secret: next } = await expectJson<{ secret: string }>(
      await api("POST", `/v1/webhooks/${endpointId}/rotate-secret`, { key: tenant.keys.admin }),
      200,
    );
    expect(next).not.toBe(secret);
    const { sendout_id } = await expectJson<{ sendout_id: string }>(
      await api("POST", `/v1/webhooks/${endpointId}/test`, { key: tenant.keys.admin }),
      202,
    );
    const { fetch, received } = receiver([new Response("ok")]);
    await deliver(fetch, sendout_id, 1, "test");
    const [request] = received;
    if (!request) throw new Error("no test delivery");
    expect(request.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(new Webhook(secret).verify(request.body, request.headers)).toMatchObject({ type: "webhook.test" });
    expect(new Webhook(next).verify(request.body, request.headers)).toMatchObject({ type: "webhook.test" });
  });

  it("validates endpoint input and checks scopes and tenants", async () => {
    const { tenant, endpointId } = await setup();
    const bad = await expectProblem(
      await api("POST", "/v1/webhooks", {
        key: tenant.keys.admin,
        body: { url: "https://x.example", event_types: ["bad type!"] },
      }),
      422,
    );
    expect(bad.errors[0]?.path).toBe("event_types[0]");
    await expectProblem(
      await api("POST", "/v1/webhooks", { key: tenant.keys.read, body: { url: "https://x.example" } }),
      403,
    );
    const other = await createTenant();
    await expectProblem(await api("GET", `/v1/webhooks/${endpointId}`, { key: other.keys.admin }), 404);
    await expectProblem(await api("GET", "/v1/webhook-sendouts?status=lost", { key: tenant.keys.read }), 422);
    expect((await api("DELETE", `/v1/webhooks/${endpointId}`, { key: tenant.keys.admin })).status).toBe(204);
  });
});
