import { metadataKeysOf, type ShardEvent } from "../../db/shard/write";
import { canonicalJson } from "../../lib/canonical-json";
import { sha256Hex } from "../../lib/crypto";
import { PayloadTooLargeError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { redact, redactBody } from "../../lib/redact";
import { parseIsoInstant, toIso } from "../../lib/time";
import {
  BODY_MAX_BYTES,
  EVENT_MAX_BYTES,
  type EventInput,
  FUTURE_TOLERANCE_MS,
  OCCURRED_AT_FORMAT,
} from "../events/schema";

/**
 * An event ready to store: its canonical JSON, its hash, and what the shard stores beside it (the
 * filter values it keeps as terms, the changed fields) and the fan-out and security rules read.
 */
export type PreparedEvent = Omit<ShardEvent, "receivedAt"> & {
  id: string;
  requestId: string | null;
  requestIp: string | null;
};

export type PrepareContext = {
  receivedAt: number;
  isSensitive: (key: string) => boolean;
  /** Where this event sits in the request body, for error paths: "" or "events[3]". */
  path: string;
  /** Used when the input has no occurred_at (the stored value, when checking a duplicate). */
  defaultOccurredAt?: number;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TRUNCATED = "…truncated";

/** Bodies over 16 KB once serialised become a string cut at that size, with a visible marker. */
function capBody(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  const bytes = encoder.encode(text);
  if (bytes.length <= BODY_MAX_BYTES) return value;
  const keep = BODY_MAX_BYTES - encoder.encode(TRUNCATED).length;
  return decoder.decode(bytes.subarray(0, keep)).replace(/\uFFFD+$/, "") + TRUNCATED;
}

function at(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

export function parseOccurredAt(value: string | number): number | null {
  return typeof value === "number" ? value : parseIsoInstant(value);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export async function prepareEvent(input: EventInput, ctx: PrepareContext): Promise<PreparedEvent> {
  let occurredAt = ctx.defaultOccurredAt ?? ctx.receivedAt;
  if (input.occurred_at !== undefined) {
    const parsed = parseOccurredAt(input.occurred_at);
    if (parsed === null) {
      const path = at(ctx.path, "occurred_at");
      throw new ValidationError(`${path} is not a valid time`, [{ path, message: OCCURRED_AT_FORMAT }]);
    }
    occurredAt = parsed;
  }
  if (occurredAt > ctx.receivedAt + FUTURE_TOLERANCE_MS) {
    const path = at(ctx.path, "occurred_at");
    throw new ValidationError(`${path} is in the future`, [
      { path, message: "must not be more than 5 minutes after the time the event is received" },
    ]);
  }

  const type = input.type;
  const redactedRequest = input.request && (redact(input.request, ctx.isSensitive) as typeof input.request);
  const request =
    redactedRequest &&
    withoutUndefined({
      ...redactedRequest,
      query: redactBody(redactedRequest.query, ctx.isSensitive),
      body: capBody(redactBody(redactedRequest.body, ctx.isSensitive)),
      response_body: capBody(redactBody(redactedRequest.response_body, ctx.isSensitive)),
    });
  const event = withoutUndefined({
    id: input.id ?? newId("evt", ctx.receivedAt),
    occurred_at: toIso(occurredAt),
    category: input.category,
    type,
    action: type.slice(type.lastIndexOf(".") + 1),
    status: input.status,
    summary: input.summary,
    message: input.message,
    lifecycle_action: input.lifecycle_action,
    actor: input.actor,
    source: input.source,
    entity: input.entity,
    targets: input.targets,
    organization_id: input.organization_id,
    changes: input.changes && redact(input.changes, ctx.isSensitive),
    request,
    job_id: input.job_id,
    metadata: input.metadata && redact(input.metadata, ctx.isSensitive),
  });

  const data = canonicalJson(event);
  if (encoder.encode(data).length > EVENT_MAX_BYTES) {
    const path = ctx.path || "event";
    throw new PayloadTooLargeError(`${path} is larger than 64 KB after request bodies are cut to 16 KB`, [
      { path, message: "an event may be at most 64 KB" },
    ]);
  }
  return {
    id: event.id,
    occurredAt,
    data,
    hash: await sha256Hex(data),
    category: event.category,
    type: event.type,
    status: event.status ?? null,
    source: event.source ?? null,
    actorType: event.actor?.type ?? null,
    actorId: event.actor?.id ?? null,
    actorName: event.actor?.name ?? null,
    actorEmail: event.actor?.email?.toLowerCase() ?? null,
    entityType: event.entity?.type ?? null,
    organizationId: event.organization_id ?? null,
    changedFields: Object.keys(event.changes ?? {}),
    metadataKeys: metadataKeysOf(event.metadata),
    requestId: request?.id ?? null,
    requestIp: request?.ip ?? null,
  };
}
