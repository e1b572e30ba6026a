import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { logStreams, notifications } from "../../../src/db/schema";
import { handleQueue } from "../../../src/queues/consumer";
import { encodeFeedCursor, feedPositionAt } from "../../../src/services/events/feed";
import { replayStream, updateStream } from "../../../src/services/streams/manage";
import {
  DISABLE_AFTER_MS,
  LEASE_MS,
  RETRY_DELAYS_SECONDS,
  retryDelaySeconds,
  runStream,
} from "../../../src/services/streams/run";
import { STREAM_STALE_MS, sweepStreams } from "../../../src/services/streams/sweep";
import { keyContext, systemContext } from "../../fixtures";
import {
  clock,
  createTenant,
  expectSameMembers,
  idsOfLines,
  ingest,
  newStream,
  receiver,
  runUntilIdle,
  streamRow,
} from "./helpers";

const https = { type: "https", url: "https://siem.example/ingest" } as const;
/** Leaves out the stream's own configuration events, so runs see only what a test stored. */
const OWN = "-type:log_stream.*";
const events = (n: number, prefix = "e") =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}_${String(i).padStart(3, "0")}`, type: "a.b" }));

describe("delivery: at least once, the cursor moves only after a 2xx", () => {
  it("a receiver failing then recovering loses nothing; the retry is the same batch under the same id", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    await ingest(tenant, events(30));
    const r = receiver([503, new Error("connection reset"), 500]);
    const time = clock();
    const start = (await streamRow(stream.id)).cursor;

    const first = await runStream(systemContext(), stream.id, r.outbound, time.now);
    expect(first).toEqual({ kind: "next", delaySeconds: expect.any(Number) });
    let row = await streamRow(stream.id);
    // Not accepted: the cursor stays, the batch's end is kept for the retry.
    expect(row.cursor).toBe(start);
    expect(row.retryEnd).not.toBeNull();
    expect(row.failures).toBe(1);
    expect(row.lastError).toContain("HTTP 503");
    expect(row.failingSince).toBe(time.now);

    // Not before its time: the message for the retry is delayed.
    expect(await runStream(systemContext(), stream.id, r.outbound, time.now + 1000)).toEqual({
      kind: "stopped",
      reason: "not due",
    });
    time.now = (row.nextRunAt ?? 0) + 1;
    // Events arriving meanwhile do not change the retried batch.
    await ingest(tenant, events(5, "later"));
    await runUntilIdle(stream.id, r.outbound, time);
    row = await streamRow(stream.id);
    expect(row.failures).toBe(0);
    expect(row.failingSince).toBeNull();
    expect(row.retryEnd).toBeNull();

    const [a, b, c, ok, next] = r.received;
    expect([a, b, c, ok].map((q) => q?.status)).toEqual([503, 0, 500, 200]);
    expect(new Set([a, b, c, ok].map((q) => q?.headers["webhook-id"])).size).toBe(1);
    expect(new Set([a, b, c, ok].map((q) => q?.text)).size).toBe(1);
    expect(idsOfLines(ok?.text ?? "")).toEqual(events(30).map((e) => e.id));
    expect(idsOfLines(next?.text ?? "")).toEqual(events(5, "later").map((e) => e.id));
    const accepted = r.accepted().flatMap((q) => idsOfLines(q.text));
    expectSameMembers(
      accepted,
      [...events(30), ...events(5, "later")].map((e) => e.id),
    );
  });

  it("waits longer after each failure, and as long as Retry-After says", () => {
    expect(retryDelaySeconds(1, null, () => 0.5)).toBe(RETRY_DELAYS_SECONDS[0]);
    expect(retryDelaySeconds(3, null, () => 0.5)).toBe(RETRY_DELAYS_SECONDS[2]);
    expect(retryDelaySeconds(50, null, () => 0.5)).toBe(3600);
    expect(retryDelaySeconds(1, "120")).toBe(120);
    expect(retryDelaySeconds(1, "999999")).toBe(3600);
  });

  it("delivers events that arrive late with an old occurred_at, in the order they were stored", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    await ingest(tenant, [{ id: "now1", type: "a.b" }]);
    await ingest(tenant, [{ id: "old", type: "a.b", occurred_at: "2019-01-01T00:00:00Z" }]);
    await ingest(tenant, [{ id: "now2", type: "a.b" }]);
    const r = receiver();
    await runUntilIdle(stream.id, r.outbound, clock());
    expect(r.received.flatMap((q) => idsOfLines(q.text))).toEqual(["now1", "old", "now2"]);
  });

  it("one run at a time: a second message while the lease is held does nothing", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    await ingest(tenant, events(3));
    const time = clock();
    await systemContext()
      .db.update(logStreams)
      .set({ leaseToken: "other", leaseUntil: time.now + LEASE_MS })
      .where(eq(logStreams.id, stream.id));
    const r = receiver();
    expect(await runStream(systemContext(), stream.id, r.outbound, time.now)).toEqual({
      kind: "stopped",
      reason: "another run holds the stream",
    });
    expect(r.received).toHaveLength(0);
    // Once the lease has run out (its run died), the next message takes over.
    expect((await runStream(systemContext(), stream.id, r.outbound, time.now + LEASE_MS + 1)).kind).toBe("next");
    expect(r.received).toHaveLength(1);
  });

  it("disables a stream failing for 3 days and tells its owners; a refused destination at once", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    await ingest(tenant, events(2));
    const time = clock();
    const r = receiver(Array.from({ length: 100 }, () => 502));
    await runStream(systemContext(), stream.id, r.outbound, time.now);
    const since = time.now;
    const failing = await systemContext()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.projectId, tenant.project.id), eq(notifications.type, "stream.failing")));
    expect(failing).toHaveLength(1);
    time.now = since + DISABLE_AFTER_MS - 60_000;
    expect((await runStream(systemContext(), stream.id, r.outbound, time.now)).kind).toBe("next");
    expect((await streamRow(stream.id)).state).toBe("active");
    time.now = since + DISABLE_AFTER_MS + 3600_000;
    expect(await runStream(systemContext(), stream.id, r.outbound, time.now)).toEqual({
      kind: "stopped",
      reason: "failing for 3 days",
    });
    const row = await streamRow(stream.id);
    expect(row.state).toBe("disabled");
    expect(row.disabledReason).toContain("failed for 3 days");
    const disabled = await systemContext()
      .db.select()
      .from(notifications)
      .where(and(eq(notifications.projectId, tenant.project.id), eq(notifications.type, "stream.disabled")));
    expect(disabled).toHaveLength(1);
    // A disabled stream runs no more.
    const sent = r.received.length;
    expect((await runStream(systemContext(), stream.id, r.outbound, time.now + 1e6)).kind).toBe("stopped");
    expect(r.received).toHaveLength(sent);

    // The outbound policy at delivery: a name resolving to a private address is refused for good.
    const other = await newStream(tenant, { destination: https, filter: OWN, name: "Second" });
    await ingest(tenant, events(1, "for_second"));
    const privateDns = receiver();
    privateDns.outbound.allowPrivate = false;
    privateDns.outbound.resolve = async () => ["10.0.0.7"];
    expect(await runStream(systemContext(), other.stream.id, privateDns.outbound, clock().now)).toEqual({
      kind: "stopped",
      reason: "destination refused",
    });
    expect(privateDns.received).toHaveLength(0);
    const refused = await streamRow(other.stream.id);
    expect(refused.state).toBe("disabled");
    expect(refused.disabledReason).toContain("10.0.0.7");
  });
});

describe("pause, resume and replay", () => {
  it("a paused stream sends nothing; resumed, it delivers what it missed", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    const ctx = await keyContext(tenant);
    await updateStream(ctx, stream.id, { state: "paused" });
    await ingest(tenant, events(4));
    const r = receiver();
    const time = clock();
    expect(await runStream(systemContext(), stream.id, r.outbound, time.now)).toEqual({
      kind: "stopped",
      reason: "the stream is paused",
    });
    expect(r.received).toHaveLength(0);
    await updateStream(ctx, stream.id, { state: "active" });
    await runUntilIdle(stream.id, r.outbound, time);
    expect(r.received.flatMap((q) => idsOfLines(q.text))).toEqual(events(4).map((e) => e.id));
  });

  it("keeps at most 7 days of backlog across a pause, unless a replay asked for more", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    const ctx = await keyContext(tenant);
    const old = Date.now() - 9 * 86_400_000;
    await systemContext()
      .db.update(logStreams)
      .set({ cursor: encodeFeedCursor(feedPositionAt(old)) })
      .where(eq(logStreams.id, stream.id));
    await updateStream(ctx, stream.id, { state: "paused" });
    const now = Date.now();
    const { stream: resumed } = await updateStream(ctx, stream.id, { state: "active" }, now);
    expect(resumed.cursor).toBe(encodeFeedCursor(feedPositionAt(now - 7 * 86_400_000)));

    await updateStream(ctx, stream.id, { state: "paused" }, now + 1);
    await replayStream(ctx, stream.id, { from: new Date(old).toISOString() }, now + 2);
    const { stream: again } = await updateStream(ctx, stream.id, { state: "active" }, now + 3);
    expect(again.cursor).toBe(encodeFeedCursor(feedPositionAt(old)));
  });

  it("replays from a time: the same events again, under new batch ids", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    const before = Date.now();
    await ingest(tenant, events(6));
    const r = receiver();
    const time = clock();
    await runUntilIdle(stream.id, r.outbound, time);
    expect(r.received).toHaveLength(1);
    const replayed = await replayStream(await keyContext(tenant), stream.id, { from: new Date(before).toISOString() });
    expect(replayed.generation).toBe(1);
    await runUntilIdle(stream.id, r.outbound, time);
    expect(r.received).toHaveLength(2);
    const [first, second] = r.received;
    expect(idsOfLines(second?.text ?? "")).toEqual(idsOfLines(first?.text ?? ""));
    expect(second?.headers["webhook-id"]).not.toBe(first?.headers["webhook-id"]);
  });

  it("replays from a feed cursor", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    await ingest(tenant, events(3));
    const r = receiver();
    const time = clock();
    await runUntilIdle(stream.id, r.outbound, time);
    const after = await streamRow(stream.id);
    await ingest(tenant, events(2, "more"));
    await runUntilIdle(stream.id, r.outbound, time);
    await replayStream(await keyContext(tenant), stream.id, { cursor: after.cursor });
    await runUntilIdle(stream.id, r.outbound, time);
    expect(r.received.map((q) => idsOfLines(q.text))).toEqual([
      events(3).map((e) => e.id),
      ["more_000", "more_001"],
      ["more_000", "more_001"],
    ]);
  });
});

describe("the queue and the sweep", () => {
  function capture() {
    const sent: { body: unknown; delaySeconds?: number | undefined }[] = [];
    const queue = {
      send: async (body: unknown, options?: QueueSendOptions) => {
        sent.push({ body, delaySeconds: options?.delaySeconds });
      },
      sendBatch: async () => undefined,
    } as unknown as Queue;
    return { sent, env: { ...env, WEBHOOKS: queue } };
  }

  it("a stream message runs the stream and sends the next one after the interval", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, filter: OWN });
    await ingest(tenant, events(2));
    const r = receiver();
    const { sent, env: captured } = capture();
    const batch = createMessageBatch("trailbook-webhooks", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "stream.run", streamId: stream.id } },
    ]);
    const later = Date.now() + 61_000;
    await handleQueue(batch, captured, { fetch: r.outbound.fetch, now: () => later });
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(r.received.flatMap((q) => idsOfLines(q.text))).toEqual(["e_000", "e_001"]);
    expect(sent).toEqual([{ body: { kind: "stream.run", streamId: stream.id, test: false }, delaySeconds: 30 }]);
  });

  it("a test message sends one synthetic event in the stream's format and records the answer", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https, format: "ocsf" });
    const r = receiver([404]);
    const { sent, env: captured } = capture();
    const batch = createMessageBatch("trailbook-webhooks", [
      { id: "t1", timestamp: new Date(), attempts: 1, body: { kind: "stream.run", streamId: stream.id, test: true } },
    ]);
    await handleQueue(batch, captured, { fetch: r.outbound.fetch });
    const [q] = r.received;
    const event = JSON.parse(q?.text ?? "{}") as { class_uid: number; metadata: { event_code: string } };
    expect(event.class_uid).toBe(3004);
    expect(event.metadata.event_code).toBe("stream.test");
    expect(sent).toEqual([]);
    const row = await streamRow(stream.id);
    expect(row.lastTestResult).toContain("HTTP 404");
    expect(row.cursor).toBe(stream.cursor);
  });

  it("the sweep re-sends the message of an active stream whose run is overdue, and leaves the others", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: https });
    const paused = await newStream(tenant, { destination: https, name: "Paused", state: "paused" });
    const { sent, env: captured } = capture();
    const ctx = systemContext(captured);
    const now = Date.now();
    await ctx.db
      .update(logStreams)
      .set({ nextRunAt: now - STREAM_STALE_MS - 1000 })
      .where(eq(logStreams.projectId, tenant.project.id));
    expect(await sweepStreams(ctx, now)).toBe(1);
    expect(sent).toEqual([{ body: { kind: "stream.run", streamId: stream.id, test: false }, delaySeconds: undefined }]);
    expect(paused.stream.state).toBe("paused");
    // Touched: the next sweep leaves it to the message just sent.
    expect(await sweepStreams(ctx, now + 1000)).toBe(0);
  });
});
