import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { tasks, webhookAttempts, webhookSendouts } from "../../src/db/schema";
import worker from "../../src/index";
import { handleQueue } from "../../src/queues/consumer";
import { api, createTenant, expectJson, type Tenant } from "../fixtures";

// The queue consumer, as the runtime calls the worker's queue handler: one message at a time, each
// acked or retried on its own, with the delay the failure calls for.

const db = createDb(env.DB);

async function importTask(tenant: Tenant, body = '{"type":"user.login","occurred_at":"2026-01-01T00:00:00Z"}') {
  const created = await expectJson<{ id: string; params?: unknown }>(
    await api("POST", "/v1/imports", {
      key: tenant.keys.ingest,
      rawBody: body,
      headers: { "Content-Type": "application/x-ndjson" },
    }),
    202,
  );
  return created.id;
}

async function taskRow(id: string) {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  if (!row) throw new Error(`no task ${id}`);
  return row;
}

/** The delay of each retry the consumer asks for, by message id (the test runtime does not report it). */
function recordRetries(batch: MessageBatch<unknown>): Map<string, number | undefined> {
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays.set(message.id, options?.delaySeconds);
      retry(options);
    };
  }
  return delays;
}

const step = (id: string, taskId: string, attempts = 1) => ({
  id,
  timestamp: new Date(),
  attempts,
  body: { kind: "task.step", taskId },
});

describe("the queue consumer", () => {
  it("runs each task message on its own: done is acked, a failed step is retried with a growing delay", async () => {
    const tenant = await createTenant();
    const runs = await importTask(tenant);
    const broken = await importTask(tenant);
    // The upload of the second is gone, so its step fails.
    const { params } = await taskRow(broken);
    await env.FILES.delete(String(params.fileKey));
    const batch = createMessageBatch<unknown>("trailbook-tasks", [
      step("m1", broken, 3),
      step("m2", runs),
      { id: "m3", timestamp: new Date(), attempts: 1, body: { kind: "bogus" } },
      step("m4", "tsk_no_such_task"),
    ]);
    const delays = recordRetries(batch);
    const execution = createExecutionContext();
    await worker.queue(batch, env, execution);
    const result = await getQueueResult(batch, execution);
    expect(result.explicitAcks.sort()).toEqual(["m2", "m3", "m4"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    // Attempt 3: 10 s, 20 s, 40 s.
    expect([...delays]).toEqual([["m1", 40]]);
    expect((await taskRow(runs)).status).toBe("done");
    const failing = await taskRow(broken);
    expect(failing.status).toBe("enqueued");
    expect(failing.lastError).toBe("the uploaded file is missing");
  });

  it("marks a task failed from the dead-letter queue, with the last error, and acks", async () => {
    const tenant = await createTenant();
    const id = await importTask(tenant);
    await db.update(tasks).set({ lastError: "R2 unavailable" }).where(eq(tasks.id, id));
    const batch = createMessageBatch("trailbook-dead-letters", [step("d1", id, 11)]);
    const execution = createExecutionContext();
    await worker.queue(batch, env, execution);
    expect((await getQueueResult(batch, execution)).explicitAcks).toEqual(["d1"]);
    const failed = await taskRow(id);
    expect(failed.status).toBe("failed");
    expect(failed.errors.at(-1)?.message).toBe("gave up after 11 deliveries: R2 unavailable");
  });

  it("delivers webhook messages, retries a failed delivery on the webhook schedule, and gives one up from dead letters", async () => {
    const tenant = await createTenant();
    await expectJson(
      await api("POST", "/v1/webhooks", {
        key: tenant.keys.admin,
        body: { url: "http://receiver.test/hook", event_types: ["*"] },
      }),
      201,
    );
    await expectJson(
      await api("POST", "/v1/events/batch", {
        key: tenant.keys.ingest,
        body: {
          events: [
            { id: "ok", type: "a.b" },
            { id: "no", type: "a.b" },
            { id: "dead", type: "a.b" },
          ],
        },
      }),
      201,
    );
    const sendouts = await db.select().from(webhookSendouts).where(eq(webhookSendouts.projectId, tenant.project.id));
    const idOf = (eventId: string) => sendouts.find((s) => s.eventId === eventId)?.id ?? "";
    const deliver = (id: string, sendout: string) => ({
      id,
      timestamp: new Date(),
      attempts: 1,
      body: { kind: "webhook.deliver", sendoutId: sendout },
    });
    const batch = createMessageBatch("trailbook-webhooks", [deliver("w1", idOf("ok")), deliver("w2", idOf("no"))]);
    const delays = recordRetries(batch);
    const execution = createExecutionContext();
    const answers = new Map([
      [idOf("ok"), 200],
      [idOf("no"), 500],
    ]);
    await handleQueue(batch, env, {
      fetch: async (request) => new Response("", { status: answers.get(request.headers.get("webhook-id") ?? "") }),
      resolve: async () => ["203.0.113.10"],
    });
    const result = await getQueueResult(batch, execution);
    expect(result.explicitAcks).toEqual(["w1"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["w2"]);
    // The first retry is 5 s, with 10 % jitter.
    expect([...delays.keys()]).toEqual(["w2"]);
    expect(delays.get("w2")).toBeGreaterThanOrEqual(4);
    expect(delays.get("w2")).toBeLessThanOrEqual(6);
    const status = async (sendout: string) =>
      (await db.select().from(webhookSendouts).where(eq(webhookSendouts.id, sendout)))[0]?.status;
    expect(await status(idOf("ok"))).toBe("sent");
    expect(await status(idOf("no"))).toBe("retry");
    expect(
      await db
        .select()
        .from(webhookAttempts)
        .where(eq(webhookAttempts.sendoutId, idOf("no"))),
    ).toHaveLength(1);

    const dead = createMessageBatch("trailbook-dead-letters", [deliver("x1", idOf("dead"))]);
    const deadExecution = createExecutionContext();
    await handleQueue(dead, env, { fetch: async () => new Response("never called", { status: 599 }) });
    expect((await getQueueResult(dead, deadExecution)).explicitAcks).toEqual(["x1"]);
    expect(await status(idOf("dead"))).toBe("error");
    expect(
      await db
        .select()
        .from(webhookAttempts)
        .where(eq(webhookAttempts.sendoutId, idOf("dead"))),
    ).toHaveLength(0);
  });
});
