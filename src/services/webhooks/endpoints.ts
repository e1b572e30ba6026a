import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { type Project, type WebhookEndpoint, webhookEndpoints, webhookSendouts } from "../../db/schema";
import { NotFoundError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { seal } from "../../lib/secret-box";
import { logOwnEvent, type Origin, type OwnEvent, requestOf } from "../audit/log-own";
import { SECRET_PURPOSE } from "./deliver";
import { enqueueDeliveries } from "./fanout";
import { generateWebhookSecret, sendoutId } from "./signature";
import { webhookUrlProblem } from "./url";

export const ROTATION_OVERLAP_MS = 24 * 3600_000;

const EventTypes = z
  .array(
    z
      .string()
      .trim()
      .regex(
        /^(\*|[A-Za-z0-9_.:/ -]{1,128}(\.\*)?)$/,
        "use *, a type like commission.updated, or a prefix like commission.*",
      ),
  )
  .min(1, "subscribe to at least one event type (* for all)")
  .max(100);

export const EndpointInput = z
  .strictObject({
    url: z.string().trim().max(2000),
    description: z.string().trim().max(500).default(""),
    event_types: EventTypes.default(["*"]),
    enabled: z.boolean().default(true),
  })
  .meta({ id: "WebhookEndpointInput" });
export const EndpointUpdate = EndpointInput.partial().meta({ id: "WebhookEndpointUpdate" });

export type Actor = { actor: NonNullable<OwnEvent["actor"]>; source: "dashboard" | "api"; origin?: Origin | undefined };

export function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    event_types: e.eventTypes,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    failing_since: e.failingSince === null ? null : new Date(e.failingSince).toISOString(),
    created_at: new Date(e.createdAt).toISOString(),
    updated_at: new Date(e.updatedAt).toISOString(),
  };
}

function checkUrl(url: string, allowPrivate: boolean) {
  const problem = webhookUrlProblem(url, allowPrivate);
  if (problem) throw new ValidationError(`url ${problem}`, [{ path: "url", message: problem }]);
}

async function log(
  d1: D1Database,
  project: Project,
  who: Actor,
  type: string,
  summary: string,
  endpoint: Pick<WebhookEndpoint, "id" | "url">,
  changes?: Record<string, [unknown, unknown]>,
) {
  await logOwnEvent(d1, [project], {
    category: "configuration",
    type,
    status: "success",
    summary,
    actor: who.actor,
    source: who.source,
    entity: { type: "webhook", id: endpoint.id, name: endpoint.url.slice(0, 1000) },
    ...(changes && { changes }),
    ...(who.origin && { request: requestOf(who.origin) }),
  });
}

export async function listEndpoints(db: Db, projectId: string): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, projectId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

/** The project's endpoints a page at a time, newest first (the API's list). */
export async function pageEndpoints(db: Db, projectId: string, page: Page): Promise<Paged<WebhookEndpoint>> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.projectId, projectId),
        afterCursor(webhookEndpoints.createdAt, webhookEndpoints.id, page.cursor),
      ),
    )
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (e) => [e.createdAt, e.id]);
}

export async function getEndpoint(db: Db, projectId: string, id: string): Promise<WebhookEndpoint> {
  const [endpoint] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, projectId), eq(webhookEndpoints.id, id)))
    .limit(1);
  if (!endpoint) throw new NotFoundError("No webhook endpoint with this id in this project.");
  return endpoint;
}

/** Creates an endpoint; the secret is returned this once. */
export async function createEndpoint(
  db: Db,
  env: Env,
  input: {
    project: Project;
    endpoint: z.output<typeof EndpointInput>;
    who: Actor;
    allowPrivate: boolean;
    secretsKey: string;
  },
  now = Date.now(),
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  checkUrl(input.endpoint.url, input.allowPrivate);
  const secret = generateWebhookSecret();
  const [endpoint] = await db
    .insert(webhookEndpoints)
    .values({
      id: newId("whe", now),
      projectId: input.project.id,
      url: input.endpoint.url,
      description: input.endpoint.description,
      eventTypes: input.endpoint.event_types,
      enabled: input.endpoint.enabled,
      secret: await seal(input.secretsKey, secret, SECRET_PURPOSE),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!endpoint) throw new Error("insert into webhook_endpoints returned no row");
  await log(env.DB, input.project, input.who, "webhook.created", `Webhook endpoint added: ${endpoint.url}`, endpoint, {
    url: [null, endpoint.url],
    event_types: [null, endpoint.eventTypes],
    enabled: [null, endpoint.enabled],
  });
  return { endpoint, secret };
}

export async function updateEndpoint(
  db: Db,
  env: Env,
  input: { project: Project; id: string; changes: z.output<typeof EndpointUpdate>; who: Actor; allowPrivate: boolean },
  now = Date.now(),
): Promise<WebhookEndpoint> {
  const current = await getEndpoint(db, input.project.id, input.id);
  if (input.changes.url !== undefined) checkUrl(input.changes.url, input.allowPrivate);
  const next = {
    url: input.changes.url ?? current.url,
    description: input.changes.description ?? current.description,
    eventTypes: input.changes.event_types ?? current.eventTypes,
    enabled: input.changes.enabled ?? current.enabled,
  };
  const changes: Record<string, [unknown, unknown]> = {};
  if (next.url !== current.url) changes.url = [current.url, next.url];
  if (next.description !== current.description) changes.description = [current.description, next.description];
  if (JSON.stringify(next.eventTypes) !== JSON.stringify(current.eventTypes))
    changes.event_types = [current.eventTypes, next.eventTypes];
  if (next.enabled !== current.enabled) changes.enabled = [current.enabled, next.enabled];
  if (Object.keys(changes).length === 0) return current;
  // Enabling again starts a fresh failure clock.
  const reenabled = next.enabled && !current.enabled;
  const [updated] = await db
    .update(webhookEndpoints)
    .set({ ...next, updatedAt: now, ...(reenabled && { disabledReason: null, failingSince: null }) })
    .where(eq(webhookEndpoints.id, current.id))
    .returning();
  if (!updated) throw new NotFoundError("No webhook endpoint with this id in this project.");
  await log(
    env.DB,
    input.project,
    input.who,
    "webhook.updated",
    `Webhook endpoint changed: ${updated.url}`,
    updated,
    changes,
  );
  return updated;
}

export async function deleteEndpoint(
  db: Db,
  env: Env,
  input: { project: Project; id: string; who: Actor },
): Promise<void> {
  const current = await getEndpoint(db, input.project.id, input.id);
  await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, current.id));
  await log(env.DB, input.project, input.who, "webhook.deleted", `Webhook endpoint removed: ${current.url}`, current, {
    url: [current.url, null],
  });
}

/** A new secret; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateSecret(
  db: Db,
  env: Env,
  input: { project: Project; id: string; who: Actor; secretsKey: string },
  now = Date.now(),
): Promise<string> {
  const current = await getEndpoint(db, input.project.id, input.id);
  const secret = generateWebhookSecret();
  await db
    .update(webhookEndpoints)
    .set({
      secret: await seal(input.secretsKey, secret, SECRET_PURPOSE),
      previousSecret: current.secret,
      previousSecretExpiresAt: now + ROTATION_OVERLAP_MS,
      updatedAt: now,
    })
    .where(eq(webhookEndpoints.id, current.id));
  await log(
    env.DB,
    input.project,
    input.who,
    "webhook.secret_rotated",
    `Webhook secret rotated: ${current.url}`,
    current,
  );
  return secret;
}

/** A test delivery: a sendout of a `webhook.test` event, delivered at once. */
export async function sendTest(
  db: Db,
  env: Env,
  input: { project: Project; id: string },
  now = Date.now(),
): Promise<string> {
  const endpoint = await getEndpoint(db, input.project.id, input.id);
  const id = sendoutId();
  await db.insert(webhookSendouts).values({
    id,
    projectId: endpoint.projectId,
    endpointId: endpoint.id,
    eventId: `test_${id.slice(4)}`,
    eventType: "webhook.test",
    status: "pending",
    createdAt: now,
    updatedAt: now,
  });
  await enqueueDeliveries(env.WEBHOOKS, [id], "test");
  return id;
}
