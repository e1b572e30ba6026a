import { env } from "cloudflare:test";
import { AwsV4Signer } from "aws4fetch";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { BATCH_LIMITS } from "../../../src/services/streams/destinations";
import {
  clock,
  createTenant,
  expectSameMembers,
  gunzip,
  idsOfLines,
  ingest,
  newStream,
  type Received,
  receiver,
  runUntilIdle,
  streamRow,
} from "./helpers";

// Each destination against a receiver that checks the real wire format (README "Log streams").

const sample = (n: number, prefix = "e") =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}_${String(i).padStart(4, "0")}`,
    type: "commission.updated",
    category: "activity",
    status: "success",
    summary: `Commission ${i} approved`,
    actor: { id: "u_42", name: "Jane Doe", email: "jane@example.com" },
    entity: { type: "commission", id: String(i) },
    changes: { status: ["pending", "approved"] },
  }));

describe("Splunk HEC", () => {
  it("posts HEC envelopes, gzip, with Authorization: Splunk <token>, to the event endpoint", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, {
      destination: {
        type: "splunk_hec",
        url: "https://splunk.example.com:8088",
        token: "hec-token-1",
        index: "audit",
        sourcetype: "trailbook:json",
      },
    });
    await ingest(tenant, sample(3));
    const r = receiver();
    await runUntilIdle(stream.id, r.outbound, clock());
    expect(r.received).toHaveLength(1);
    const [request] = r.received as [Received];
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://splunk.example.com:8088/services/collector/event");
    expect(request.headers.authorization).toBe("Splunk hec-token-1");
    expect(request.headers["content-encoding"]).toBe("gzip");
    expect(request.headers["content-type"]).toBe("application/json");
    // HEC takes envelopes back to back; each carries the event and where to index it.
    const envelopes = request.text.split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    // The stream's own creation (a configuration event, received after its start) comes first.
    expect(envelopes[0]?.event).toMatchObject({ type: "log_stream.created" });
    expect(envelopes).toHaveLength(4);
    for (const envelope of envelopes) {
      expect(Object.keys(envelope).sort()).toEqual(["event", "host", "index", "source", "sourcetype", "time"]);
      expect(envelope).toMatchObject({
        index: "audit",
        sourcetype: "trailbook:json",
        host: "trailbook",
        source: `trailbook:${tenant.project.id}`,
      });
      const event = envelope.event as { id: string; occurred_at: string; hash: string };
      expect(envelope.time).toBe(Date.parse(event.occurred_at) / 1000);
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(envelopes.slice(1).map((e) => (e.event as { id: string }).id)).toEqual(["e_0000", "e_0001", "e_0002"]);
    expect((await streamRow(stream.id)).deliveredEvents).toBe(4);
  });
});

describe("Datadog", () => {
  it("posts a gzip JSON array to the site's v2 intake with DD-API-KEY, the event as JSON in message", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, {
      destination: { type: "datadog", site: "datadoghq.eu", api_key: "dd-key-1", tags: "env:prod" },
      format: "ocsf",
    });
    await ingest(tenant, sample(4));
    const r = receiver([202]);
    await runUntilIdle(stream.id, r.outbound, clock());
    const [request] = r.received as [Received];
    expect(request.url).toBe("https://http-intake.logs.datadoghq.eu/api/v2/logs");
    expect(request.headers["dd-api-key"]).toBe("dd-key-1");
    expect(request.headers["content-encoding"]).toBe("gzip");
    const [created, ...entries] = JSON.parse(request.text) as Record<string, string>[];
    expect(created?.ddtags).toBe(`project:${tenant.project.id},category:configuration,env:prod`);
    expect(entries).toHaveLength(4);
    for (const entry of entries) {
      expect(entry).toMatchObject({ ddsource: "trailbook", service: "trailbook", hostname: "trailbook" });
      expect(entry.ddtags).toBe(`project:${tenant.project.id},category:activity,env:prod`);
      const ocsf = JSON.parse(entry.message ?? "") as { class_uid: number; metadata: { uid: string } };
      expect(ocsf.class_uid).toBe(6003);
    }
    expect(entries.map((e) => (JSON.parse(e.message ?? "") as { metadata: { uid: string } }).metadata.uid)).toEqual([
      "e_0000",
      "e_0001",
      "e_0002",
      "e_0003",
    ]);
  });

  it("keeps each request within Datadog's limits: at most 1,000 entries and 5 MB, and within our batch size", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: { type: "datadog", api_key: "k" } });
    const events = sample(1_250);
    await ingest(tenant, events);
    const r = receiver();
    await runUntilIdle(stream.id, r.outbound, clock());
    const sizes = r.received.map((q) => (JSON.parse(q.text) as unknown[]).length);
    // The stream's creation event first, then the 1,250.
    expect(sizes).toEqual([500, 500, 251]);
    for (const q of r.received) expect(q.text.length).toBeLessThanOrEqual(BATCH_LIMITS.datadog.bytes);
    const ids = r.received.flatMap((q) =>
      (JSON.parse(q.text) as { message: string }[]).map((e) => (JSON.parse(e.message) as { id: string }).id),
    );
    expect(ids.slice(1)).toEqual(events.map((e) => e.id));
  });

  it("cuts batches by bytes: large events make smaller batches, none over 1 MB", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, { destination: { type: "datadog", api_key: "k" } });
    const events = sample(60).map((e) => ({
      ...e,
      message: "x".repeat(3_900),
      metadata: { blob: "y".repeat(40_000) },
    }));
    await ingest(tenant, events);
    const r = receiver();
    await runUntilIdle(stream.id, r.outbound, clock());
    expect(r.received.length).toBeGreaterThan(2);
    for (const q of r.received) expect(new TextEncoder().encode(q.text).length).toBeLessThanOrEqual(1_000_000);
    const ids = r.received.flatMap((q) =>
      (JSON.parse(q.text) as { message: string }[]).map((e) => (JSON.parse(e.message) as { id: string }).id),
    );
    expect(ids.slice(1)).toEqual(events.map((e) => e.id));
  });
});

describe("S3-compatible storage", () => {
  it("PUTs SigV4-signed gzip JSON Lines objects per stream and hour, readable from the bucket", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, {
      destination: {
        type: "s3",
        endpoint: "https://objects.example.com",
        region: "eu-west-1",
        bucket: "audit-logs",
        prefix: "trailbook/",
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: "s3-secret-1",
      },
    });
    const events = sample(2_100);
    await ingest(tenant, events);
    // The receiver checks the signature as S3 would (recomputed with the same key), then stores
    // the object in a local R2 bucket under its key.
    const bucket = env.FILES;
    const r = receiver([], async (q) => {
      const url = new URL(q.url);
      if (q.method !== "PUT" || url.hostname !== "audit-logs.objects.example.com") return 400;
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", q.raw));
      const hash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
      if (q.headers["x-amz-content-sha256"] !== hash) return 400;
      const { authorization, ...unsigned } = q.headers;
      const expected = await new AwsV4Signer({
        method: q.method,
        url: q.url,
        headers: unsigned,
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "s3-secret-1",
        service: "s3",
        region: "eu-west-1",
        datetime: q.headers["x-amz-date"],
      }).authHeader();
      if (authorization !== expected) return 403;
      await bucket.put(`s3test/${decodeURIComponent(url.pathname.slice(1))}`, q.raw);
      return 200;
    });
    await runUntilIdle(stream.id, r.outbound, clock());
    expect(r.received.map((q) => q.status)).toEqual([200, 200]);
    const listed = await bucket.list({ prefix: `s3test/trailbook/${stream.id}/` });
    expect(listed.objects).toHaveLength(2);
    const lines: string[] = [];
    for (const object of listed.objects.sort((a, b) => a.key.localeCompare(b.key))) {
      expect(object.key).toMatch(
        new RegExp(`^s3test/trailbook/${stream.id}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d+-tbb_[A-Za-z0-9_-]+\\.jsonl\\.gz$`),
      );
      const body = await bucket.get(object.key);
      lines.push(...idsOfLines(await gunzip(new Uint8Array(await (body as R2ObjectBody).arrayBuffer()))));
    }
    expect(lines.slice(1)).toEqual(events.map((e) => e.id));
  });

  it("a wrong secret is refused by the receiver's signature check (the check can fail)", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, {
      destination: {
        type: "s3",
        endpoint: "https://objects.example.com",
        bucket: "audit-logs",
        path_style: true,
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: "not-the-right-one",
      },
    });
    await ingest(tenant, sample(2));
    const r = receiver([], async (q) => {
      const { authorization, ...unsigned } = q.headers;
      const expected = await new AwsV4Signer({
        method: q.method,
        url: q.url,
        headers: unsigned,
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "s3-secret-1",
        service: "s3",
        region: "auto",
        datetime: q.headers["x-amz-date"],
      }).authHeader();
      return authorization === expected ? 200 : 403;
    });
    await runUntilIdle(stream.id, r.outbound, clock());
    expect(new URL(r.received[0]?.url ?? "").pathname).toMatch(new RegExp(`^/audit-logs/${stream.id}/`));
    expect(r.received[0]?.status).toBe(403);
    expect((await streamRow(stream.id)).lastError).toContain("HTTP 403");
  });
});

describe("HTTPS", () => {
  it("posts JSON Lines signed with Standard Webhooks headers, verified by the standardwebhooks package", async () => {
    const tenant = await createTenant();
    const { stream, secret } = await newStream(tenant, {
      destination: { type: "https", url: "https://siem.example/ingest" },
    });
    expect(secret).toMatch(/^whsec_/);
    await ingest(tenant, sample(5));
    const verified: unknown[] = [];
    const r = receiver([], (q) => {
      try {
        // JSON Lines is not one JSON document: the signature alone is checked.
        new Webhook(secret ?? "").verify(q.text, q.headers, { jsonParse: false });
        verified.push(q.headers["webhook-id"]);
        return undefined;
      } catch {
        return 401;
      }
    });
    await runUntilIdle(stream.id, r.outbound, clock());
    expect(r.received.map((q) => q.status)).toEqual([200]);
    const [q] = r.received as [Received];
    expect(q.headers["content-type"]).toBe("application/x-ndjson");
    expect(q.headers["webhook-id"]).toMatch(/^tbb_/);
    expect(q.headers["trailbook-event-count"]).toBe("6");
    expect(idsOfLines(q.text).slice(1)).toEqual(sample(5).map((e) => e.id));
    expect(verified).toHaveLength(1);
  });

  it("sends a JSON array, gzip, signed over the uncompressed body; a wrong secret does not verify", async () => {
    const tenant = await createTenant();
    const { stream, secret } = await newStream(tenant, {
      destination: { type: "https", url: "https://siem.example/ingest", body: "json_array", gzip: true },
    });
    await ingest(tenant, sample(3));
    const r = receiver([], (q) => {
      new Webhook(secret ?? "").verify(q.text, q.headers);
      expect(() => new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(q.text, q.headers)).toThrow();
      return undefined;
    });
    await runUntilIdle(stream.id, r.outbound, clock());
    const [q] = r.received as [Received];
    expect(q.headers["content-encoding"]).toBe("gzip");
    expect(q.headers["content-type"]).toBe("application/json");
    expect((JSON.parse(q.text) as { id: string }[]).map((e) => e.id).slice(1)).toEqual(["e_0000", "e_0001", "e_0002"]);
  });

  it("delivers only what the filter matches, and every event the stream covers (its own configuration events too)", async () => {
    const tenant = await createTenant();
    const { stream } = await newStream(tenant, {
      destination: { type: "https", url: "https://siem.example/ingest" },
      filter: "category:auth,configuration -type:user.otp_requested -type:log_stream.*",
    });
    await ingest(tenant, [
      { id: "a1", type: "user.login", category: "auth", status: "success" },
      { id: "a2", type: "user.otp_requested", category: "auth" },
      { id: "p1", type: "payout.created", category: "payment" },
      { id: "c1", type: "settings.updated", category: "configuration", occurred_at: "2020-01-01T00:00:00Z" },
    ]);
    const r = receiver();
    await runUntilIdle(stream.id, r.outbound, clock());
    const ids = r.received.flatMap((q) => idsOfLines(q.text));
    expectSameMembers(ids, ["a1", "c1"]);
  });
});
