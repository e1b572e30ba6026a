import { z } from "zod";
import { sha256Hex } from "../../lib/crypto";
import type { EventInput } from "../events/schema";
import { asEventInput, type FieldNames } from "./validate";

// Retraced publisher API (as @retracedhq/retraced calls it). The client recomputes the event hash
// from its own copy of the event and our id, and throws when it differs, so `retracedHash` follows
// its `buildHashTarget` (src/event.ts of retraced-js) character for character.

const text = z.string().max(1000);
const StringMap = z.record(z.string().max(200), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]));

export const RetracedEvent = z.object({
  action: z.string().min(1, "action is required").max(128),
  group: z
    .object({ id: text.min(1, "group.id is required when group is present"), name: text.optional() })
    .optional()
    .nullable(),
  crud: z.enum(["c", "r", "u", "d"], "crud must be one of c, r, u, d"),
  created: z.string().max(64).optional().nullable(),
  actor: z
    .object({
      id: text.min(1, "actor.id is required when actor is present"),
      name: text.optional().nullable(),
      href: text.optional().nullable(),
      fields: StringMap.optional().nullable(),
    })
    .optional()
    .nullable(),
  target: z
    .object({
      id: text.min(1, "target.id is required when target is present"),
      name: text.optional().nullable(),
      href: text.optional().nullable(),
      type: text.optional().nullable(),
      fields: StringMap.optional().nullable(),
    })
    .optional()
    .nullable(),
  source_ip: text.optional().nullable(),
  description: text.optional().nullable(),
  is_failure: z.boolean().optional().nullable(),
  is_anonymous: z.boolean().optional().nullable(),
  fields: StringMap.optional().nullable(),
  component: text.optional().nullable(),
  version: text.optional().nullable(),
  external_id: text.optional().nullable(),
  metadata: StringMap.optional().nullable(),
});
export type RetracedEvent = z.infer<typeof RetracedEvent>;

/** Retraced's server rule: an actor is required unless the event is anonymous. */
export function retracedProblems(event: RetracedEvent): string[] {
  return !event.actor && !event.is_anonymous ? ["actor is required unless is_anonymous is true"] : [];
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string" || Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return true; // lodash isEmpty: numbers and booleans count as empty
}

function passOne(value: unknown): string {
  return String(value ? (typeof value === "string" ? value.replace(/%/g, "%25").replace(/:/g, "%3A") : value) : value);
}

function passTwo(value: string): string {
  return value ? value.replace(/=/g, "%3D").replace(/;/g, "%3B") : value;
}

function pairs(map: Record<string, unknown>): string {
  return Object.keys(map)
    .sort()
    .map((key) => {
      const raw = map[key];
      const value = raw ? (typeof raw === "string" ? passTwo(passOne(raw)) : String(raw)) : String(raw);
      return `${passTwo(passOne(key))}=${value};`;
    })
    .join("");
}

export function retracedHashTarget(event: RetracedEvent, id: string): string {
  let s = `${passOne(id)}:`;
  s += `${passOne(event.action)}:`;
  s += isEmpty(event.target) ? ":" : `${passOne(event.target?.id)}:`;
  s += isEmpty(event.actor) ? ":" : `${passOne(event.actor?.id)}:`;
  s += isEmpty(event.group) ? ":" : `${passOne(event.group?.id)}:`;
  s += isEmpty(event.source_ip) ? ":" : `${passOne(event.source_ip)}:`;
  s += event.is_failure ? "1:" : "0:";
  s += event.is_anonymous ? "1:" : "0:";
  s += event.fields ? pairs(event.fields) : ":";
  if (event.external_id) s += `:${passOne(event.external_id)}`;
  if (event.metadata) s += `:${pairs(event.metadata)}`;
  return s;
}

export async function retracedHash(event: RetracedEvent, id: string): Promise<string> {
  return sha256Hex(retracedHashTarget(event, id));
}

const CRUD = { c: "created", r: "read", u: "updated", d: "deleted" } as const;

/** Where each Trailbook field comes from in a Retraced event, for error paths. */
export const RETRACED_FIELDS: FieldNames = [
  ["type", "action"],
  ["occurred_at", "created"],
  ["lifecycle_action", "crud"],
  ["summary", "description"],
  ["entity", "target"],
  ["targets[0]", "target"],
  ["organization_id", "group.id"],
  ["request.ip", "source_ip"],
  ["metadata.group_name", "group.name"],
  ["metadata.actor_href", "actor.href"],
  ["metadata.actor_fields", "actor.fields"],
  ["metadata.target_href", "target.href"],
  ["metadata.target_fields", "target.fields"],
  ["metadata.component", "component"],
  ["metadata.version", "version"],
  ["metadata.external_id", "external_id"],
  ["metadata", "fields"],
];

/**
 * A Retraced event as a Trailbook event (README "Compatibility"), validated by the same event
 * schema as `POST /v1/events`; a refusal names the Retraced field (`at`: `events[3]` in a bulk body).
 */
export function fromRetraced(event: RetracedEvent, id: string, at = ""): EventInput {
  const metadata: Record<string, unknown> = {
    ...(event.fields ?? {}),
    ...(event.metadata ?? {}),
    received_via: "retraced",
    crud: event.crud,
  };
  if (event.component) metadata.component = event.component;
  if (event.version) metadata.version = event.version;
  if (event.external_id) metadata.external_id = event.external_id;
  if (event.group?.name) metadata.group_name = event.group.name;
  if (event.actor?.href) metadata.actor_href = event.actor.href;
  if (event.actor?.fields) metadata.actor_fields = event.actor.fields;
  if (event.target?.href) metadata.target_href = event.target.href;
  if (event.target?.fields) metadata.target_fields = event.target.fields;
  const target = event.target
    ? {
        id: event.target.id,
        ...(event.target.type && { type: event.target.type }),
        ...(event.target.name && { name: event.target.name }),
      }
    : undefined;
  return asEventInput(
    {
      id,
      type: event.action,
      category: "activity",
      ...(event.created && { occurred_at: event.created }),
      status: event.is_failure ? "failure" : "success",
      lifecycle_action: CRUD[event.crud],
      ...(event.description && { summary: event.description }),
      ...(event.actor && {
        actor: { type: "user", id: event.actor.id, ...(event.actor.name && { name: event.actor.name }) },
      }),
      source: "api",
      ...(target && { entity: target, targets: [target] }),
      ...(event.group?.id && { organization_id: event.group.id }),
      ...(event.source_ip && { request: { ip: event.source_ip } }),
      metadata,
    },
    RETRACED_FIELDS,
    at,
  );
}
