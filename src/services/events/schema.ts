import { z } from "zod";
import { parseIsoInstant } from "../../lib/time";
import { jsonProblem, storableText } from "../../lib/validation";

// The event on the wire (README "Events"). One schema for the API, imports and compatibility endpoints.

export const STRING_MAX = 1_000;
export const MESSAGE_MAX = 4_000;
export const BODY_MAX_BYTES = 16 * 1024;
export const EVENT_MAX_BYTES = 64 * 1024;
export const BATCH_MAX_EVENTS = 1_000;
export const BATCH_MAX_BYTES = 5 * 1024 * 1024;
/** A single-event request may carry large request/response bodies; they are cut to BODY_MAX_BYTES. */
export const SINGLE_MAX_BYTES = 1024 * 1024;
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export const OCCURRED_AT_FORMAT =
  "must be a real date and time in ISO 8601 with an offset (2026-11-02T10:15:00+01:00) or epoch milliseconds";

/** Text that can be stored: no NUL character and no unpaired surrogate (README "Events"). */
const text = (max: number) => storableText().max(max);

const str = text(STRING_MAX);
const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : -");

export const EVENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const EventId = z
  .string()
  .regex(EVENT_ID_PATTERN, "must be 1–128 characters of letters, digits and _ . : -")
  .describe("Idempotency key within the project; generated (`evt_` + ULID) when omitted.");

// Any JSON value. Bodies come from JSON.parse, so z.unknown() admits exactly JSON here, and unlike the
// recursive z.json() it can be described in OpenAPI. Its nesting is bounded before anything walks
// it recursively (redaction, canonical JSON, SQLite's JSON functions, which stop at 1,000 levels).
const json = z.unknown().superRefine((value, ctx) => {
  const problem = jsonProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
});

/**
 * A request or response body. One sent as JSON text is parsed again for redaction (redactBody),
 * so that text is held to the same nesting limit.
 */
const body = json.superRefine((value, ctx) => {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return; // not JSON: kept as text
  }
  const problem = jsonProblem(parsed);
  if (problem?.kind === "depth") ctx.addIssue({ code: "custom", message: `holds JSON text that ${problem.message}` });
});

export const Actor = z
  .strictObject({ type: name.optional(), id: str.optional(), name: str.optional(), email: str.optional() })
  .meta({ id: "Actor", description: "Who did it." });

export const EntityRef = z
  .strictObject({ type: name.optional(), id: str.optional(), name: str.optional() })
  .meta({ id: "EntityRef", description: "What it was done to." });

export const RequestInfo = z
  .strictObject({
    id: str.optional(),
    method: z
      .string()
      .regex(/^[A-Za-z]{1,16}$/, "must be an HTTP method such as GET or PATCH")
      .transform((m) => m.toUpperCase())
      .optional(),
    path: str.optional(),
    status_code: z.int().min(100).max(599).optional(),
    duration_ms: z.number().min(0).max(86_400_000).optional(),
    ip: str.optional(),
    user_agent: str.optional(),
    origin: str.optional(),
    controller: str.optional(),
    action: str.optional(),
    headers: z.record(storableText(), json).optional(),
    query: body.optional(),
    body: body.optional().describe("Cut to 16 KB with a visible `…truncated` marker."),
    response_body: body.optional().describe("Cut to 16 KB with a visible `…truncated` marker."),
  })
  .meta({ id: "RequestInfo", description: "The HTTP request behind the event." });

export const EventInput = z
  .strictObject({
    id: EventId.optional(),
    occurred_at: z
      .union([
        z
          .string()
          .max(64)
          .refine((value) => parseIsoInstant(value) !== null, OCCURRED_AT_FORMAT),
        z.int().min(0).max(8_640_000_000_000_000),
      ])
      .optional()
      .describe("ISO 8601 with an offset, or epoch milliseconds; defaults to the time received."),
    category: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, "must be lower-case letters, digits and _ (e.g. activity)")
      .default("activity"),
    type: z
      .string()
      .regex(/^[A-Za-z0-9_.:/ -]{1,128}$/, "must be 1–128 characters of letters, digits, space and _ . : / -")
      .describe("Dotted `entity.action` recommended, e.g. `commission.updated`."),
    status: name.optional(),
    summary: str.optional(),
    message: text(MESSAGE_MAX).optional(),
    lifecycle_action: name.optional(),
    actor: Actor.optional(),
    source: name.optional(),
    entity: EntityRef.optional(),
    targets: z.array(EntityRef).max(50).optional(),
    organization_id: str.optional(),
    changes: z
      .record(text(200).min(1), z.tuple([json, json]))
      .optional()
      .describe('Changed fields as `[old, new]` pairs: `{"status": ["pending", "approved"]}`.'),
    request: RequestInfo.optional(),
    job_id: str.optional(),
    metadata: z.record(storableText(), json).optional(),
  })
  .meta({ id: "EventInput", description: "An event to record." });

export type EventInput = z.output<typeof EventInput>;

export const BatchInput = z
  .strictObject({ events: z.array(EventInput).min(1).max(BATCH_MAX_EVENTS) })
  .meta({ id: "EventBatch" });

export const IngestResult = z
  .object({
    id: z.string(),
    hash: z.string().describe("SHA-256 hex of the event's canonical JSON after redaction."),
    received_at: z.string(),
    duplicate: z.boolean().describe("True when this id was already stored with the same content."),
  })
  .meta({ id: "IngestResult" });
export type IngestResult = z.infer<typeof IngestResult>;

export const StoredEvent = EventInput.omit({ occurred_at: true })
  .extend({
    id: z.string(),
    occurred_at: z.string(),
    action: z.string().describe("Derived from `type`: the text after its last dot."),
    received_at: z.string(),
    hash: z.string(),
  })
  .meta({ id: "Event", description: "A stored event." });
export type StoredEvent = z.infer<typeof StoredEvent>;
