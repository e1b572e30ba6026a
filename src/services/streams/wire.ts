import { AwsClient } from "aws4fetch";
import type { StreamFormat } from "../../db/schema";
import { base64url } from "../../lib/ids";
import type { StoredEvent } from "../events/schema";
import { sign } from "../webhooks/signature";
import { datadogUrl, type StoredDestination, type StreamSecrets, s3ObjectUrl, splunkUrl } from "./destinations";
import { toOcsf } from "./ocsf";

// What a batch looks like on the wire, per destination (README "Log streams"):
// - Splunk HEC: one envelope per event, `{time, host, source, sourcetype, index, event}`, back to
//   back, `Authorization: Splunk <token>`, gzip when the destination says so;
// - Datadog: a JSON array of `{ddsource, ddtags, hostname, service, message}` (the event as JSON
//   text in `message`, which Datadog parses), `DD-API-KEY`, gzip;
// - S3: one gzip JSON Lines object per batch, signed with AWS SigV4 (aws4fetch);
// - HTTPS: JSON Lines or a JSON array, signed like webhooks (Standard Webhooks headers; the id is
//   the batch id, the same on every retry of the batch).

type Json = Record<string, unknown>;
export type Project = { id: string; name: string };

export function recordOf(event: StoredEvent, format: StreamFormat, project: Project): Json {
  return format === "ocsf" ? toOcsf(event, project) : event;
}

/** The text one event takes in the batch body. */
export function entryOf(d: StoredDestination, event: StoredEvent, format: StreamFormat, project: Project): string {
  const record = recordOf(event, format, project);
  switch (d.type) {
    case "splunk_hec": {
      const envelope: Json = {
        time: Date.parse(event.occurred_at) / 1000,
        host: "trailbook",
        source: `trailbook:${project.id}`,
        sourcetype: d.sourcetype || (format === "ocsf" ? "ocsf" : "trailbook:event"),
        event: record,
      };
      if (d.index) envelope.index = d.index;
      return JSON.stringify(envelope);
    }
    case "datadog": {
      const tags = [`project:${project.id}`, `category:${event.category}`, ...(d.tags ? d.tags.split(",") : [])];
      return JSON.stringify({
        ddsource: "trailbook",
        ddtags: tags.filter(Boolean).join(","),
        hostname: "trailbook",
        service: d.service,
        message: JSON.stringify(record),
      });
    }
    case "s3":
    case "https":
      return JSON.stringify(record);
  }
}

/** The bytes an entry adds to a body (with its separator). */
export function entryBytes(entry: string): number {
  return new TextEncoder().encode(entry).length + 1;
}

export function bodyOf(d: StoredDestination, entries: string[]): string {
  switch (d.type) {
    case "datadog":
      return `[${entries.join(",")}]`;
    case "splunk_hec":
      return entries.join("\n");
    case "s3":
      return `${entries.join("\n")}\n`;
    case "https":
      return d.body === "json_array" ? `[${entries.join(",")}]` : `${entries.join("\n")}\n`;
  }
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A batch's id: the stream, its replay generation and the batch's first and last positions. A
 * retry sends the same events under the same id; a replay sends them under a new one.
 */
export async function batchId(streamId: string, generation: number, from: string, to: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${streamId}\n${generation}\n${from}\n${to}`),
  );
  return `tbb_${base64url(new Uint8Array(digest).subarray(0, 16))}`;
}

/** The object key of a batch: per stream and hour of the first event's receive time, named by the batch. */
export function s3Key(prefix: string, streamId: string, firstReceivedAt: number, id: string): string {
  const t = new Date(firstReceivedAt).toISOString();
  const [date = "", time = ""] = t.split("T");
  const [y, m, d] = date.split("-");
  return `${prefix}${streamId}/${y}/${m}/${d}/${time.slice(0, 2)}/${firstReceivedAt}-${id}.jsonl.gz`;
}

export type Batch = { id: string; streamId: string; count: number; firstReceivedAt: number; body: string };

export const USER_AGENT = "Trailbook-Streams/1.0";

/** The request that delivers a batch (not yet sent). */
export async function batchRequest(
  d: StoredDestination,
  secrets: StreamSecrets,
  batch: Batch,
  now: number,
): Promise<{ url: string; init: RequestInit & { headers: Record<string, string> } }> {
  const headers: Record<string, string> = { "user-agent": USER_AGENT };
  switch (d.type) {
    case "splunk_hec": {
      headers.authorization = `Splunk ${secrets.token ?? ""}`;
      headers["content-type"] = "application/json";
      let body: string | Uint8Array = batch.body;
      if (d.gzip) {
        body = await gzip(batch.body);
        headers["content-encoding"] = "gzip";
      }
      return { url: splunkUrl(d.url), init: { method: "POST", headers, body } };
    }
    case "datadog": {
      headers["dd-api-key"] = secrets.api_key ?? "";
      headers["content-type"] = "application/json";
      headers["content-encoding"] = "gzip";
      return { url: datadogUrl(d.site), init: { method: "POST", headers, body: await gzip(batch.body) } };
    }
    case "https": {
      const timestamp = Math.floor(now / 1000);
      headers["content-type"] = d.body === "json_array" ? "application/json" : "application/x-ndjson";
      headers["webhook-id"] = batch.id;
      headers["webhook-timestamp"] = String(timestamp);
      // Signed over the body before any Content-Encoding, as the receiver reads it.
      headers["webhook-signature"] = await sign(secrets.signing_secret ?? "", batch.id, timestamp, batch.body);
      headers["trailbook-event-count"] = String(batch.count);
      let body: string | Uint8Array = batch.body;
      if (d.gzip) {
        body = await gzip(batch.body);
        headers["content-encoding"] = "gzip";
      }
      return { url: d.url, init: { method: "POST", headers, body } };
    }
    case "s3": {
      const body = await gzip(batch.body);
      const url = s3ObjectUrl(d, s3Key(d.prefix, batch.streamId, batch.firstReceivedAt, batch.id));
      const client = new AwsClient({
        accessKeyId: d.access_key_id,
        secretAccessKey: secrets.secret_access_key ?? "",
        service: "s3",
        region: d.region,
        retries: 0,
      });
      const signed = await client.sign(url, {
        method: "PUT",
        headers: { ...headers, "content-type": "application/gzip", "x-amz-content-sha256": await sha256Hex(body) },
        body,
        aws: { datetime: new Date(now).toISOString().replace(/[:-]|\.\d{3}/g, "") },
      });
      return { url, init: { method: "PUT", headers: Object.fromEntries(signed.headers), body } };
    }
  }
}
