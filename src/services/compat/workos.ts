import { z } from "zod";
import { storableText } from "../../lib/validation";
import type { EventInput } from "../events/schema";
import { asEventInput, type FieldNames } from "./validate";

// WorkOS Audit Logs API (as @workos-inc/node calls it with apiHostname pointed at Trailbook).

const text = storableText().max(1000);
const Meta = z.record(z.string().max(200), z.union([z.string().max(1000), z.number(), z.boolean()])).optional();
const Party = z.object({ id: text.min(1), type: z.string().min(1).max(64), name: text.optional(), metadata: Meta });

export const WorkosEventBody = z.object({
  organization_id: text.min(1),
  event: z.object({
    action: z.string().min(1).max(128),
    version: z.int().min(1).optional(),
    occurred_at: z.string().max(64),
    actor: Party,
    targets: z.array(Party).max(50),
    context: z.object({ location: text, user_agent: text.optional() }),
    metadata: Meta,
  }),
});
export type WorkosEventBody = z.infer<typeof WorkosEventBody>;

export const WorkosExportBody = z.object({
  organization_id: text.min(1),
  range_start: z.string().max(64),
  range_end: z.string().max(64),
  actions: z.array(storableText().max(128)).max(50).optional(),
  actor_names: z.array(text).max(50).optional(),
  actor_ids: z.array(text).max(50).optional(),
  targets: z.array(storableText().max(64)).max(50).optional(),
});

function typeName(type: string): string {
  return type.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 64);
}

/** Where each Trailbook field comes from in a WorkOS body, for error paths. */
export const WORKOS_FIELDS: FieldNames = [
  ["type", "event.action"],
  ["occurred_at", "event.occurred_at"],
  ["actor", "event.actor"],
  ["entity", "event.targets[0]"],
  ["targets", "event.targets"],
  ["request.ip", "event.context.location"],
  ["request.user_agent", "event.context.user_agent"],
  ["metadata.actor_metadata", "event.actor.metadata"],
  ["metadata.target_metadata", "event.targets"],
  ["metadata", "event.metadata"],
];

/**
 * A WorkOS event as a Trailbook event (README "Compatibility"), validated by the same event schema
 * as `POST /v1/events`; a refusal names the WorkOS field.
 */
export function fromWorkos(body: WorkosEventBody, id: string): EventInput {
  const { event } = body;
  const targets = event.targets.map((t) => ({ type: typeName(t.type), id: t.id, ...(t.name && { name: t.name }) }));
  const metadata: Record<string, unknown> = { ...(event.metadata ?? {}), received_via: "workos" };
  if (event.version) metadata.version = event.version;
  if (event.actor.metadata) metadata.actor_metadata = event.actor.metadata;
  const targetMetadata = event.targets.filter((t) => t.metadata).map((t) => ({ id: t.id, metadata: t.metadata }));
  if (targetMetadata.length) metadata.target_metadata = targetMetadata;
  return asEventInput(
    {
      id,
      type: event.action,
      category: "activity",
      occurred_at: event.occurred_at,
      actor: {
        type: typeName(event.actor.type),
        id: event.actor.id,
        ...(event.actor.name && { name: event.actor.name }),
      },
      source: "api",
      ...(targets[0] && { entity: targets[0] }),
      ...(targets.length && { targets }),
      organization_id: body.organization_id,
      request: {
        ip: event.context.location,
        ...(event.context.user_agent && { user_agent: event.context.user_agent }),
      },
      metadata,
    },
    WORKOS_FIELDS,
  );
}
