import { and, asc, desc, eq, gte, inArray, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import {
  SENDOUT_STATUSES,
  type WebhookAttempt,
  type WebhookSendout,
  webhookAttempts,
  webhookEndpoints,
  webhookSendouts,
} from "../../db/schema";
import { NotFoundError, ValidationError } from "../../lib/errors";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { parseTimeBound } from "../../lib/time";
import type { ProjectContext } from "../context";
import { enqueueDeliveries } from "../ingest/fanout";
import { logChange } from "../ingest/own-events";
import { getEndpoint } from "./endpoints";

// Sendout filters (README "Webhooks"; Voucherify's: id, status, type, request id, source id, endpoint,
// creation date, sendout date).
export const SendoutFilters = z
  .strictObject({
    id: z.string().max(64).optional(),
    status: z.enum(SENDOUT_STATUSES).optional(),
    type: z.string().max(128).optional(),
    request_id: z.string().max(1000).optional(),
    event_id: z.string().max(128).optional(),
    webhook_id: z.string().max(64).optional(),
    created_from: z.string().max(64).optional(),
    created_to: z.string().max(64).optional(),
    sent_from: z.string().max(64).optional(),
    sent_to: z.string().max(64).optional(),
  })
  .meta({ id: "SendoutFilters" });
export type SendoutFilters = z.infer<typeof SendoutFilters>;

function bound(value: string | undefined, name: string, edge: "start" | "end", timeZone: string): number | undefined {
  if (!value) return undefined;
  const ms = parseTimeBound(value, timeZone, edge);
  if (ms === null)
    throw new ValidationError(`${name}: "${value}" is not a date or time`, [
      { path: name, message: "not a date or time" },
    ]);
  return ms;
}

export function sendoutView(s: WebhookSendout, attempts?: WebhookAttempt[]) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: s.id,
    webhook_id: s.endpointId,
    event_id: s.eventId,
    type: s.eventType,
    request_id: s.requestId,
    status: s.status,
    attempt_count: s.attempts,
    last_status_code: s.lastStatusCode,
    next_attempt_at: iso(s.nextAttemptAt),
    created_at: new Date(s.createdAt).toISOString(),
    sent_at: iso(s.sentAt),
    ...(attempts && {
      attempts: attempts.map((a) => ({
        id: a.id,
        trigger: a.trigger,
        started_at: new Date(a.startedAt).toISOString(),
        duration_ms: a.durationMs,
        request_headers: a.requestHeaders,
        response_status: a.responseStatus,
        response_excerpt: a.responseExcerpt,
        error: a.error,
      })),
    }),
  };
}

/** The project's sendouts matching the filters, newest first, a page at a time. */
export async function pageSendouts(
  ctx: ProjectContext,
  filters: SendoutFilters,
  page: Page,
): Promise<Paged<WebhookSendout>> {
  const where: (SQL | undefined)[] = [eq(webhookSendouts.projectId, ctx.project.id)];
  const tz = ctx.project.timezone;
  if (filters.id) where.push(eq(webhookSendouts.id, filters.id));
  if (filters.status) where.push(eq(webhookSendouts.status, filters.status));
  if (filters.type) where.push(eq(webhookSendouts.eventType, filters.type));
  if (filters.request_id) where.push(eq(webhookSendouts.requestId, filters.request_id));
  if (filters.event_id) where.push(eq(webhookSendouts.eventId, filters.event_id));
  if (filters.webhook_id) where.push(eq(webhookSendouts.endpointId, filters.webhook_id));
  const cf = bound(filters.created_from, "created_from", "start", tz);
  const ct = bound(filters.created_to, "created_to", "end", tz);
  const sf = bound(filters.sent_from, "sent_from", "start", tz);
  const st = bound(filters.sent_to, "sent_to", "end", tz);
  if (cf !== undefined) where.push(gte(webhookSendouts.createdAt, cf));
  if (ct !== undefined) where.push(lt(webhookSendouts.createdAt, ct));
  if (sf !== undefined) where.push(gte(webhookSendouts.sentAt, sf));
  if (st !== undefined) where.push(lt(webhookSendouts.sentAt, st));
  where.push(afterCursor(webhookSendouts.createdAt, webhookSendouts.id, page.cursor));
  const rows = await ctx.db
    .select()
    .from(webhookSendouts)
    .where(and(...where))
    .orderBy(desc(webhookSendouts.createdAt), desc(webhookSendouts.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (s) => [s.createdAt, s.id]);
}

/** The newest sendouts matching the filters (the dashboard's list). */
export async function listSendouts(
  ctx: ProjectContext,
  filters: SendoutFilters,
  limit = 100,
): Promise<WebhookSendout[]> {
  return (await pageSendouts(ctx, filters, { limit })).data;
}

export async function getSendout(
  ctx: ProjectContext,
  id: string,
): Promise<{ sendout: WebhookSendout; attempts: WebhookAttempt[]; url: string }> {
  const { db } = ctx;
  const [row] = await db
    .select({ sendout: webhookSendouts, url: webhookEndpoints.url })
    .from(webhookSendouts)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookSendouts.endpointId))
    .where(and(eq(webhookSendouts.projectId, ctx.project.id), eq(webhookSendouts.id, id)))
    .limit(1);
  if (!row) throw new NotFoundError("No webhook sendout with this id in this project.");
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.sendoutId, id))
    .orderBy(asc(webhookAttempts.startedAt));
  return { ...row, attempts };
}

/** Sends one sendout again, as a new attempt on the same sendout id. */
export async function resendSendout(ctx: ProjectContext, id: string): Promise<WebhookSendout> {
  const { sendout, url } = await getSendout(ctx, id);
  await ctx.db
    .update(webhookSendouts)
    .set({ status: "pending", updatedAt: Date.now() })
    .where(eq(webhookSendouts.id, sendout.id));
  await enqueueDeliveries(ctx, [sendout.id], "resend");
  await logChange(ctx, {
    type: "webhook.resent",
    summary: `Webhook ${sendout.eventType} resent to ${url}`,
    entity: { type: "webhook_sendout", id: sendout.id },
    metadata: { event_id: sendout.eventId, webhook_id: sendout.endpointId },
  });
  return sendout;
}

/** Resends every sendout of an endpoint that ended in error since a time. */
export async function recoverEndpoint(
  ctx: ProjectContext,
  input: { endpointId: string; since: string },
): Promise<number> {
  const { db, project } = ctx;
  const endpoint = await getEndpoint(ctx, input.endpointId);
  const since = bound(input.since, "since", "start", project.timezone);
  if (since === undefined)
    throw new ValidationError("since: give the time to recover from", [{ path: "since", message: "required" }]);
  const failed = await db
    .select({ id: webhookSendouts.id })
    .from(webhookSendouts)
    .where(
      and(
        eq(webhookSendouts.projectId, project.id),
        eq(webhookSendouts.endpointId, endpoint.id),
        eq(webhookSendouts.status, "error"),
        gte(webhookSendouts.createdAt, since),
      ),
    )
    .limit(10_000);
  const ids = failed.map((f) => f.id);
  for (let i = 0; i < ids.length; i += 90) {
    await db
      .update(webhookSendouts)
      .set({ status: "pending", updatedAt: Date.now() })
      .where(inArray(webhookSendouts.id, ids.slice(i, i + 90)));
  }
  await enqueueDeliveries(ctx, ids, "recover");
  await logChange(ctx, {
    type: "webhook.recovered",
    summary: `${ids.length} failed webhook sendouts to ${endpoint.url} sent again`,
    entity: { type: "webhook", id: endpoint.id, name: endpoint.url },
    metadata: { since: new Date(since).toISOString(), count: ids.length },
  });
  return ids.length;
}
