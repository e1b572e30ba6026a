import { and, eq, inArray } from "drizzle-orm";
import {
  memberships,
  UNSENT_SENDOUT_STATUSES,
  type WebhookEndpoint,
  type WebhookSendout,
  type WebhookTrigger,
  webhookAttempts,
  webhookEndpoints,
  webhookSendouts,
} from "../../db/schema";
import { randomToken } from "../../lib/ids";
import { checkDestination, type Resolver } from "../../lib/outbound-url";
import { open } from "../../lib/secret-box";
import { eventStore, type ServiceContext } from "../context";
import { forgetProject } from "../key-cache";
import { notify } from "../notifications/notify";
import { placementOf } from "../shards/placement";
import { sendoutBody, testData, webhookBody } from "./payload";
import { sign } from "./signature";

// Delivery (README "Webhooks"): Standard Webhooks headers, 15 s timeout, only 2xx counts; retries after
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, each ±10 % jitter, or when the receiver says by
// Retry-After; 410 disables the endpoint; five days of failures disable it and tell the owners.

export const RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];
export const MAX_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1;
export const TIMEOUT_MS = 15_000;
export const FAILING_DISABLE_AFTER_MS = 5 * 24 * 3600_000;
const MAX_DELAY_SECONDS = 12 * 3600; // Queues' longest retry delay
export const SECRET_PURPOSE = "webhook-secret";

export type DeliveryOutcome =
  | { kind: "sent" }
  | { kind: "retry"; delaySeconds: number }
  | { kind: "error"; reason: string }
  | { kind: "skipped"; reason: string };
export type Fetcher = (request: Request) => Promise<Response>;
/** How a delivery reaches the outside: the fetch, the DNS resolver, and whether private hosts are allowed (development). */
export type Outbound = { fetch: Fetcher; resolve: Resolver; allowPrivate: boolean };

/** The delay before the attempt after attempt `n` (1-based), with jitter; Retry-After wins when given. */
export function retryDelaySeconds(
  attempt: number,
  retryAfter: string | null,
  random = Math.random,
  now = Date.now(),
): number {
  if (retryAfter) {
    const seconds = /^\d+$/.test(retryAfter.trim())
      ? Number(retryAfter)
      : Math.ceil((Date.parse(retryAfter) - now) / 1000);
    if (Number.isFinite(seconds) && seconds > 0) return Math.min(MAX_DELAY_SECONDS, seconds);
  }
  const base = RETRY_SCHEDULE_SECONDS[Math.min(attempt, RETRY_SCHEDULE_SECONDS.length) - 1] ?? 36000;
  return Math.max(1, Math.round(base * (0.9 + random() * 0.2)));
}

async function payloadOf(ctx: ServiceContext, sendout: WebhookSendout, now: number): Promise<string | undefined> {
  if (sendout.eventType === "webhook.test") return webhookBody("webhook.test", now, testData(sendout));
  const placement = await placementOf(ctx, sendout.projectId);
  if (!placement) return undefined;
  return sendoutBody(eventStore(ctx.env, placement), sendout, now);
}

async function signatures(
  endpoint: WebhookEndpoint,
  secretsKey: string,
  id: string,
  timestamp: number,
  body: string,
  now: number,
): Promise<string> {
  const current = await sign(await open(secretsKey, endpoint.secret, SECRET_PURPOSE), id, timestamp, body);
  if (!endpoint.previousSecret || (endpoint.previousSecretExpiresAt ?? 0) <= now) return current;
  // During a rotation both secrets sign, so receivers can switch at their own pace.
  return `${current} ${await sign(await open(secretsKey, endpoint.previousSecret, SECRET_PURPOSE), id, timestamp, body)}`;
}

async function disableEndpoint(ctx: ServiceContext, endpoint: WebhookEndpoint, reason: string, now: number) {
  const { db } = ctx;
  await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, updatedAt: now })
    .where(eq(webhookEndpoints.id, endpoint.id));
  forgetProject(endpoint.projectId);
  const owners = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.projectId, endpoint.projectId), inArray(memberships.role, ["owner", "admin"])));
  for (const { userId } of owners) {
    await notify(
      ctx,
      {
        projectId: endpoint.projectId,
        userId,
        type: "webhook.disabled",
        title: `Webhook endpoint disabled: ${endpoint.url}`,
        body: reason,
        link: `/p/${endpoint.projectId}/settings/webhooks/${endpoint.id}`,
      },
      `${endpoint.id}_disabled_${Math.floor(now / 60_000)}_${userId}`,
      now,
    );
  }
}

/**
 * Makes one delivery attempt of a sendout. The attempt number is claimed first (`attempts` moves
 * only from the value read), so two deliveries of the same message never both send; an automatic
 * delivery of a sendout already sent or given up does nothing.
 */
export async function deliverSendout(
  ctx: ServiceContext,
  input: { sendoutId: string; trigger: WebhookTrigger },
  outbound: Outbound,
  now = Date.now(),
): Promise<DeliveryOutcome> {
  const { db } = ctx;
  const { sendoutId: id, trigger } = input;
  const [row] = await db
    .select({ sendout: webhookSendouts, endpoint: webhookEndpoints })
    .from(webhookSendouts)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookSendouts.endpointId))
    .where(eq(webhookSendouts.id, id))
    .limit(1);
  if (!row) return { kind: "skipped", reason: "no such sendout" };
  const { sendout, endpoint } = row;
  if (trigger === "auto" && (sendout.status === "sent" || sendout.status === "error"))
    return { kind: "skipped", reason: `already ${sendout.status}` };
  if (!endpoint.enabled && trigger !== "test") {
    await db
      .update(webhookSendouts)
      .set({ status: "error", updatedAt: now, nextAttemptAt: null })
      .where(eq(webhookSendouts.id, id));
    return { kind: "error", reason: "the endpoint is disabled" };
  }
  const claimed = await db
    .update(webhookSendouts)
    .set({ attempts: sendout.attempts + 1, updatedAt: now })
    .where(and(eq(webhookSendouts.id, id), eq(webhookSendouts.attempts, sendout.attempts)))
    .returning({ id: webhookSendouts.id });
  if (claimed.length === 0) return { kind: "skipped", reason: "another delivery of this sendout is running" };
  const attempt = sendout.attempts + 1;

  const body = await payloadOf(ctx, sendout, now);
  if (body === undefined) {
    await db
      .update(webhookSendouts)
      .set({ status: "error", updatedAt: now, nextAttemptAt: null })
      .where(eq(webhookSendouts.id, id));
    return { kind: "error", reason: "the event is no longer stored" };
  }
  const timestamp = Math.floor(now / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Trailbook-Webhooks/1.0",
    "webhook-id": sendout.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signatures(endpoint, ctx.config.SECRETS_KEY, sendout.id, timestamp, body, now),
  };

  const started = Date.now();
  let status: number | null = null;
  let excerpt: string | null = null;
  let error: string | null = null;
  let retryAfter: string | null = null;
  // A refused destination stays refused: the attempt is recorded and the sendout given up at once.
  let refused = false;
  try {
    const destination = await checkDestination(endpoint.url, outbound.allowPrivate, outbound.resolve);
    if (!destination.ok) {
      error = `not sent: ${destination.reason}`;
      refused = destination.permanent;
    } else {
      // Redirects are not followed: a public receiver could otherwise point the request anywhere.
      const response = await outbound.fetch(
        new Request(endpoint.url, {
          method: "POST",
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(TIMEOUT_MS),
        }),
      );
      status = response.status;
      retryAfter = response.headers.get("Retry-After");
      excerpt = (await response.text().catch(() => "")).slice(0, 2000);
      if (status >= 300 && status < 400) error = `answered ${status}: redirects are not followed`;
    }
  } catch (e) {
    error =
      e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")
        ? `timed out after ${TIMEOUT_MS / 1000} s`
        : e instanceof Error
          ? e.message
          : String(e);
  }
  const duration = Date.now() - started;
  // Signatures are kept out of the stored headers: they are secrets' outputs, not needed to debug.
  const storedHeaders = { ...headers, "webhook-signature": "v1,…" };
  await db.insert(webhookAttempts).values({
    id: `wha_${randomToken(12)}`,
    sendoutId: id,
    projectId: sendout.projectId,
    trigger,
    startedAt: now,
    durationMs: duration,
    requestHeaders: storedHeaders,
    responseStatus: status,
    responseExcerpt: excerpt,
    error,
  });

  if (status !== null && status >= 200 && status < 300) {
    await db
      .update(webhookSendouts)
      .set({ status: "sent", sentAt: now, lastStatusCode: status, nextAttemptAt: null, updatedAt: now })
      .where(eq(webhookSendouts.id, id));
    if (endpoint.failingSince !== null)
      await db.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
    return { kind: "sent" };
  }

  if (status === 410) {
    await db
      .update(webhookSendouts)
      .set({ status: "error", lastStatusCode: status, nextAttemptAt: null, updatedAt: now })
      .where(eq(webhookSendouts.id, id));
    await disableEndpoint(ctx, endpoint, "The receiver answered 410 Gone.", now);
    return { kind: "error", reason: "410 Gone: endpoint disabled" };
  }
  const failingSince = endpoint.failingSince ?? now;
  if (endpoint.failingSince === null) {
    await db.update(webhookEndpoints).set({ failingSince: now }).where(eq(webhookEndpoints.id, endpoint.id));
    await notify(
      ctx,
      {
        projectId: endpoint.projectId,
        type: "webhook.failing",
        title: `Webhook endpoint failing: ${endpoint.url}`,
        body: error ?? `It answered HTTP ${status}. Deliveries are retried; after 5 days of failures it is disabled.`,
        link: `/p/${endpoint.projectId}/settings/webhooks/${endpoint.id}`,
      },
      `${endpoint.id}_failing_${now}`,
      now,
    );
  }
  if (now - failingSince >= FAILING_DISABLE_AFTER_MS) {
    await disableEndpoint(ctx, endpoint, "Deliveries have failed for 5 days.", now);
  }
  if (refused || trigger === "test" || attempt >= MAX_ATTEMPTS || now - failingSince >= FAILING_DISABLE_AFTER_MS) {
    await db
      .update(webhookSendouts)
      .set({
        status: trigger === "test" ? sendout.status : "error",
        lastStatusCode: status,
        nextAttemptAt: null,
        updatedAt: now,
      })
      .where(eq(webhookSendouts.id, id));
    return { kind: "error", reason: error ?? `HTTP ${status}` };
  }
  const delaySeconds = retryDelaySeconds(attempt, retryAfter, Math.random, now);
  await db
    .update(webhookSendouts)
    .set({ status: "retry", lastStatusCode: status, nextAttemptAt: now + delaySeconds * 1000, updatedAt: now })
    .where(eq(webhookSendouts.id, id));
  return { kind: "retry", delaySeconds };
}

/** After a message exhausted its deliveries (dead-letter queue). */
export async function giveUpSendout(ctx: ServiceContext, id: string): Promise<void> {
  await ctx.db
    .update(webhookSendouts)
    .set({ status: "error", nextAttemptAt: null, updatedAt: Date.now() })
    .where(and(eq(webhookSendouts.id, id), inArray(webhookSendouts.status, UNSENT_SENDOUT_STATUSES)));
}
