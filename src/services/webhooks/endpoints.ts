import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { type WebhookEndpoint, webhookEndpoints, webhookSendouts } from "../../db/schema";
import { InvariantError, NotFoundError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { seal } from "../../lib/secret-box";
import type { ProjectContext } from "../context";
import { enqueueDeliveries, sendoutId } from "../ingest/fanout";
import { logChange } from "../ingest/own-events";
import { forgetProject } from "../key-cache";
import { SECRET_PURPOSE } from "./deliver";
import { generateWebhookSecret } from "./signature";
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

/** Private and internal hosts are allowed outside production, so local receivers work. */
function checkUrl(ctx: ProjectContext, url: string) {
  const problem = webhookUrlProblem(url, ctx.config.ENVIRONMENT !== "production");
  if (problem) throw new ValidationError(`url ${problem}`, [{ path: "url", message: problem }]);
}

async function log(
  ctx: ProjectContext,
  type: string,
  summary: string,
  endpoint: Pick<WebhookEndpoint, "id" | "url">,
  changes?: Record<string, [unknown, unknown]>,
) {
  // Every change reaches here after its write: keys checked from now on read the endpoints again,
  // and this event fans out to the endpoints as they now are.
  forgetProject(ctx.project.id);
  await logChange(
    { ...ctx, webhookEndpoints: undefined },
    {
      type,
      summary,
      entity: { type: "webhook", id: endpoint.id, name: endpoint.url.slice(0, 1000) },
      ...(changes && { changes }),
    },
  );
}

export async function listEndpoints(ctx: ProjectContext): Promise<WebhookEndpoint[]> {
  return ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, ctx.project.id))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

/** Each endpoint's URL by id, to name where sendouts went. */
export async function endpointUrls(ctx: ProjectContext): Promise<Map<string, string>> {
  const rows = await ctx.db
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, ctx.project.id));
  return new Map(rows.map((r) => [r.id, r.url]));
}

/** The project's endpoints a page at a time, newest first (the API's list). */
export async function pageEndpoints(ctx: ProjectContext, page: Page): Promise<Paged<WebhookEndpoint>> {
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.projectId, ctx.project.id),
        afterCursor(webhookEndpoints.createdAt, webhookEndpoints.id, page.cursor),
      ),
    )
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (e) => [e.createdAt, e.id]);
}

export async function getEndpoint(ctx: ProjectContext, id: string): Promise<WebhookEndpoint> {
  const [endpoint] = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.projectId, ctx.project.id), eq(webhookEndpoints.id, id)))
    .limit(1);
  if (!endpoint) throw new NotFoundError("No webhook endpoint with this id in this project.");
  return endpoint;
}

/** Creates an endpoint; the secret is returned this once. */
export async function createEndpoint(
  ctx: ProjectContext,
  input: z.output<typeof EndpointInput>,
  now = Date.now(),
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  checkUrl(ctx, input.url);
  const secret = generateWebhookSecret();
  const [endpoint] = await ctx.db
    .insert(webhookEndpoints)
    .values({
      id: newId("whe", now),
      projectId: ctx.project.id,
      url: input.url,
      description: input.description,
      eventTypes: input.event_types,
      enabled: input.enabled,
      secret: await seal(ctx.config.SECRETS_KEY, secret, SECRET_PURPOSE),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!endpoint) throw new InvariantError("insert into webhook_endpoints returned no row");
  await log(ctx, "webhook.created", `Webhook endpoint added: ${endpoint.url}`, endpoint, {
    url: [null, endpoint.url],
    event_types: [null, endpoint.eventTypes],
    enabled: [null, endpoint.enabled],
  });
  return { endpoint, secret };
}

export async function updateEndpoint(
  ctx: ProjectContext,
  id: string,
  update: z.output<typeof EndpointUpdate>,
  now = Date.now(),
): Promise<WebhookEndpoint> {
  const current = await getEndpoint(ctx, id);
  if (update.url !== undefined) checkUrl(ctx, update.url);
  const next = {
    url: update.url ?? current.url,
    description: update.description ?? current.description,
    eventTypes: update.event_types ?? current.eventTypes,
    enabled: update.enabled ?? current.enabled,
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
  const [updated] = await ctx.db
    .update(webhookEndpoints)
    .set({ ...next, updatedAt: now, ...(reenabled && { disabledReason: null, failingSince: null }) })
    .where(eq(webhookEndpoints.id, current.id))
    .returning();
  if (!updated) throw new NotFoundError("No webhook endpoint with this id in this project.");
  await log(ctx, "webhook.updated", `Webhook endpoint changed: ${updated.url}`, updated, changes);
  return updated;
}

export async function deleteEndpoint(ctx: ProjectContext, id: string): Promise<void> {
  const current = await getEndpoint(ctx, id);
  await ctx.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, current.id));
  await log(ctx, "webhook.deleted", `Webhook endpoint removed: ${current.url}`, current, {
    url: [current.url, null],
  });
}

/** A new secret; the old one keeps signing (a second signature) for 24 hours. */
export async function rotateSecret(ctx: ProjectContext, id: string, now = Date.now()): Promise<string> {
  const current = await getEndpoint(ctx, id);
  const secret = generateWebhookSecret();
  await ctx.db
    .update(webhookEndpoints)
    .set({
      secret: await seal(ctx.config.SECRETS_KEY, secret, SECRET_PURPOSE),
      previousSecret: current.secret,
      previousSecretExpiresAt: now + ROTATION_OVERLAP_MS,
      updatedAt: now,
    })
    .where(eq(webhookEndpoints.id, current.id));
  await log(ctx, "webhook.secret_rotated", `Webhook secret rotated: ${current.url}`, current);
  return secret;
}

/** A test delivery: a sendout of a `webhook.test` event, delivered at once. */
export async function sendTest(ctx: ProjectContext, endpointId: string, now = Date.now()): Promise<string> {
  const endpoint = await getEndpoint(ctx, endpointId);
  const id = sendoutId();
  await ctx.db.insert(webhookSendouts).values({
    id,
    projectId: endpoint.projectId,
    endpointId: endpoint.id,
    eventId: `test_${id.slice(4)}`,
    eventType: "webhook.test",
    status: "pending",
    createdAt: now,
    updatedAt: now,
  });
  await enqueueDeliveries(ctx, [id], "test");
  return id;
}
