import { z } from "zod";
import type { StreamDestinationType } from "../../db/schema";
import { ValidationError } from "../../lib/errors";
import { outboundUrlProblem } from "../../lib/outbound-url";

// Where a log stream sends its events (README "Log streams"). A destination's settings are stored as
// they are; its secrets (token, API key, secret access key, signing secret) are sealed apart and
// never shown again.

export const DATADOG_SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "uk1.datadoghq.com",
  "ddog-gov.com",
  "us2.ddog-gov.com",
] as const;

export const HTTPS_BODIES = ["jsonl", "json_array"] as const;

const Url = z.string().trim().min(1, "is required").max(2000);
const Secret = z.string().trim().min(1).max(4000);

const SplunkInput = z.strictObject({
  type: z.literal("splunk_hec"),
  url: Url.describe(
    "The HEC endpoint: `https://splunk.example.com:8088` (the event endpoint is added) or its full URL.",
  ),
  token: Secret.optional().describe("The HEC token (sent as `Authorization: Splunk <token>`). Required when created."),
  index: z
    .string()
    .trim()
    .max(80)
    .regex(/^([a-z0-9][a-z0-9_-]*)?$/, "use lower-case letters, digits, _ and -")
    .optional(),
  sourcetype: z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9_.:-]*$/, "use letters, digits and _ . : -")
    .optional(),
  gzip: z.boolean().default(true),
});

const DatadogInput = z.strictObject({
  type: z.literal("datadog"),
  site: z.enum(DATADOG_SITES).default("datadoghq.com"),
  api_key: Secret.optional().describe("A Datadog API key (sent as `DD-API-KEY`). Required when created."),
  service: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:/-]+$/, "use letters, digits and _ . : / -")
    .default("trailbook"),
  tags: z
    .string()
    .trim()
    .max(1000)
    .regex(/^[A-Za-z0-9_.:/,-]*$/, "a comma list of key:value tags")
    .default(""),
});

const S3Input = z.strictObject({
  type: z.literal("s3"),
  endpoint: Url.describe(
    "The S3 API endpoint: `https://s3.eu-west-1.amazonaws.com`, or `https://<account>.r2.cloudflarestorage.com` for R2.",
  ),
  region: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{1,32}$/, "a region such as eu-west-1, or auto for R2")
    .default("auto"),
  bucket: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "3–63 lower-case letters, digits, dots and hyphens"),
  prefix: z
    .string()
    .trim()
    .max(512)
    .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, "folders ending with /, e.g. trailbook/ (letters, digits and !_.*'()-)")
    .default(""),
  path_style: z
    .boolean()
    .default(false)
    .describe("`https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`."),
  access_key_id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,128}$/, "letters and digits"),
  secret_access_key: Secret.optional().describe("Required when created."),
});

const HttpsInput = z.strictObject({
  type: z.literal("https"),
  url: Url,
  body: z.enum(HTTPS_BODIES).default("jsonl").describe("JSON Lines, or one JSON array per batch."),
  gzip: z.boolean().default(false),
});

export const DestinationInput = z
  .discriminatedUnion("type", [SplunkInput, DatadogInput, S3Input, HttpsInput])
  .meta({ id: "StreamDestinationInput" });
export type DestinationInput = z.output<typeof DestinationInput>;

/** The destination as stored and shown: its settings without secrets. */
export type StoredDestination =
  | Omit<z.output<typeof SplunkInput>, "token">
  | Omit<z.output<typeof DatadogInput>, "api_key">
  | Omit<z.output<typeof S3Input>, "secret_access_key">
  | z.output<typeof HttpsInput>;

/** The sealed part. */
export type StreamSecrets = { token?: string; api_key?: string; secret_access_key?: string; signing_secret?: string };

/** The secret each type must have, as the API names it. */
export const REQUIRED_SECRET: Record<StreamDestinationType, keyof StreamSecrets> = {
  splunk_hec: "token",
  datadog: "api_key",
  s3: "secret_access_key",
  https: "signing_secret",
};

/**
 * Batch limits per request, within each destination's own (Datadog: 1,000 entries and 5 MB per
 * request; Splunk HEC's default body limit is 1 MB on Splunk Cloud). S3 objects may be larger: one
 * file per batch.
 */
export const BATCH_LIMITS: Record<StreamDestinationType, { events: number; bytes: number }> = {
  splunk_hec: { events: 500, bytes: 1_000_000 },
  datadog: { events: 500, bytes: 1_000_000 },
  https: { events: 500, bytes: 1_000_000 },
  s3: { events: 2_000, bytes: 5_000_000 },
};

export function splitDestination(input: DestinationInput): { destination: StoredDestination; secrets: StreamSecrets } {
  switch (input.type) {
    case "splunk_hec": {
      const { token, ...destination } = input;
      return { destination, secrets: token ? { token } : {} };
    }
    case "datadog": {
      const { api_key, ...destination } = input;
      return { destination, secrets: api_key ? { api_key } : {} };
    }
    case "s3": {
      const { secret_access_key, ...destination } = input;
      return { destination, secrets: secret_access_key ? { secret_access_key } : {} };
    }
    case "https":
      return { destination: input, secrets: {} };
  }
}

/** The Splunk HEC event endpoint: a bare host gets `/services/collector/event`. */
export function splunkUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/services/collector/event";
  return parsed.toString();
}

export function datadogUrl(site: string): string {
  return `https://http-intake.logs.${site}/api/v2/logs`;
}

/** Where an object of the bucket is written (path-style or virtual-hosted). */
export function s3ObjectUrl(d: Extract<StoredDestination, { type: "s3" }>, key: string): string {
  const base = new URL(d.endpoint);
  const path = key
    .split("/")
    .map((part) => encodeURIComponent(part))
    .join("/");
  if (d.path_style) {
    base.pathname = `${base.pathname.replace(/\/+$/, "")}/${d.bucket}/${path}`;
    return base.toString();
  }
  base.hostname = `${d.bucket}.${base.hostname}`;
  base.pathname = `${base.pathname.replace(/\/+$/, "")}/${path}`;
  return base.toString();
}

/** The URL requests go to (for S3, the bucket's), to show and to check against the outbound policy. */
export function destinationUrl(d: StoredDestination): string {
  switch (d.type) {
    case "splunk_hec":
      return splunkUrl(d.url);
    case "datadog":
      return datadogUrl(d.site);
    case "s3":
      return s3ObjectUrl(d, "");
    case "https":
      return d.url;
  }
}

/**
 * Refuses a destination the outbound URL policy refuses (README "Webhooks": https on a public host
 * in production), naming the field.
 */
export function checkDestinationUrls(d: StoredDestination, allowPrivate: boolean): void {
  const field = d.type === "s3" ? "destination.endpoint" : "destination.url";
  if (d.type === "datadog") return;
  const raw = d.type === "s3" ? d.endpoint : d.url;
  let problem = outboundUrlProblem(raw, allowPrivate);
  if (!problem) {
    try {
      problem = outboundUrlProblem(destinationUrl(d), allowPrivate);
    } catch {
      problem = "is not a valid URL";
    }
  }
  if (problem) throw new ValidationError(`${field} ${problem}`, [{ path: field, message: problem }]);
}
