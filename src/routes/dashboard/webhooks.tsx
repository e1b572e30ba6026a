import { type Context, Hono } from "hono";
import type { Messages } from "../../../views/components/Flash";
import {
  type EndpointRow,
  type PayloadView,
  SendoutPage,
  type SendoutRow,
  Sendouts,
  WebhookEndpointPage,
  WebhookEndpoints,
} from "../../../views/pages/Webhooks";
import { SENDOUT_STATUSES, type WebhookEndpoint, type WebhookSendout } from "../../db/schema";
import type { ProjectEnv } from "../../env";
import { can } from "../../lib/permissions";
import { toValidationError } from "../../lib/validation";
import { requirePermission } from "../../middleware/session";
import {
  createEndpoint,
  deleteEndpoint,
  EndpointInput,
  endpointUrls,
  getEndpoint,
  listEndpoints,
  rotateSecret,
  sendTest,
  updateEndpoint,
} from "../../services/webhooks/endpoints";
import { sendoutBody } from "../../services/webhooks/payload";
import {
  getSendout,
  listSendouts,
  recoverEndpoint,
  resendSendout,
  SendoutFilters,
} from "../../services/webhooks/sendouts";
import { redirectWithFlash, takeFlash } from "./flash";
import { attempt } from "./form";
import { renderPage } from "./frame";

type C = Context<ProjectEnv>;
type Flash = Messages;

function endpointRow(e: WebhookEndpoint): EndpointRow {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince === null ? null : new Date(e.failingSince).toISOString(),
  };
}

function sendoutRow(s: WebhookSendout, urls: Map<string, string>): SendoutRow {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: s.id,
    endpointUrl: urls.get(s.endpointId),
    eventId: s.eventId,
    type: s.eventType,
    requestId: s.requestId,
    status: s.status,
    attempts: s.attempts,
    lastStatusCode: s.lastStatusCode,
    createdAt: new Date(s.createdAt).toISOString(),
    sentAt: iso(s.sentAt),
    nextAttemptAt: iso(s.nextAttemptAt),
  };
}

/** The endpoint form: types as a comma list, the checkbox as a boolean, then the API's schema. */
function endpointForm(form: Record<string, string | File>) {
  const text = (k: string) => (typeof form[k] === "string" ? (form[k] as string) : "");
  return EndpointInput.safeParse({
    url: text("url"),
    description: text("description"),
    event_types: text("event_types")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    enabled: text("enabled") === "1",
  });
}

const endpointPath = (c: C, id: string) => `/p/${c.var.project.id}/settings/webhooks/${encodeURIComponent(id)}`;

async function renderList(c: C, flash: Flash = {}, status: 200 | 422 = 200) {
  const endpoints = await listEndpoints(c.var.ctx);
  return renderPage(c, WebhookEndpoints, { ...flash, endpoints: endpoints.map(endpointRow) }, status);
}

async function renderEndpoint(c: C, id: string, flash: Flash = {}, status: 200 | 404 | 422 = 200) {
  const endpoint = await getEndpoint(c.var.ctx, id);
  return renderPage(
    c,
    WebhookEndpointPage,
    {
      ...flash,
      endpoint: endpointRow(endpoint),
      sendoutsHref: `/p/${c.var.project.id}/webhooks?webhook_id=${endpoint.id}`,
    },
    status,
  );
}

const SECRET_TEXT = "The signing secret — copy it now, it is not shown again:";

async function renderSendout(c: C, id: string, flash: Flash = {}) {
  const { sendout, attempts, url } = await getSendout(c.var.ctx, id);
  const iso = (ms: number) => new Date(ms).toISOString();
  const last = attempts.at(-1);
  const body = await sendoutBody(c.var.ctx.events, sendout, last?.startedAt ?? Date.now());
  const payload: PayloadView =
    body === undefined
      ? { state: "gone" }
      : last
        ? { state: "sent", attempt: attempts.length, body }
        : { state: "next", body };
  return renderPage(c, SendoutPage, {
    ...flash,
    sendout: sendoutRow(sendout, new Map([[sendout.endpointId, url]])),
    attempts: attempts.map((a) => ({
      trigger: a.trigger,
      startedAt: iso(a.startedAt),
      durationMs: a.durationMs,
      responseStatus: a.responseStatus,
      responseExcerpt: a.responseExcerpt,
      error: a.error,
      requestHeaders: a.requestHeaders,
    })),
    canResend: can(c.var.access, "webhooks.resend"),
    eventHref: `/p/${c.var.project.id}/events/${encodeURIComponent(sendout.eventId)}`,
    payload,
  });
}

export const webhookPages = new Hono<ProjectEnv>()
  .get("/settings/webhooks", requirePermission("webhooks.manage"), async (c) => renderList(c, await takeFlash(c)))
  .post("/settings/webhooks", requirePermission("webhooks.manage"), async (c) => {
    const parsed = endpointForm(await c.req.parseBody());
    if (!parsed.success) return renderList(c, { error: toValidationError(parsed.error).message }, 422);
    const result = await attempt(() => createEndpoint(c.var.ctx, parsed.data));
    if (result.error || !result.value) return renderList(c, { error: result.error }, 422);
    return redirectWithFlash(c, endpointPath(c, result.value.endpoint.id), {
      success: "Endpoint added.",
      secret: { text: SECRET_TEXT, value: result.value.secret },
    });
  })
  .get("/settings/webhooks/:endpointId", requirePermission("webhooks.manage"), async (c) =>
    renderEndpoint(c, c.req.param("endpointId"), await takeFlash(c)),
  )
  .post("/settings/webhooks/:endpointId", requirePermission("webhooks.manage"), async (c) => {
    const id = c.req.param("endpointId");
    const parsed = endpointForm(await c.req.parseBody());
    if (!parsed.success) return renderEndpoint(c, id, { error: toValidationError(parsed.error).message }, 422);
    const result = await attempt(() => updateEndpoint(c.var.ctx, id, parsed.data));
    if (result.error) return renderEndpoint(c, id, { error: result.error }, 422);
    return redirectWithFlash(c, endpointPath(c, id), { success: "Saved." });
  })
  .post("/settings/webhooks/:endpointId/rotate-secret", requirePermission("webhooks.manage"), async (c) => {
    const id = c.req.param("endpointId");
    const secret = await rotateSecret(c.var.ctx, id);
    return redirectWithFlash(c, endpointPath(c, id), {
      success: "Secret rotated; the old one also signs for 24 hours.",
      secret: { text: SECRET_TEXT, value: secret },
    });
  })
  .post("/settings/webhooks/:endpointId/test", requirePermission("webhooks.manage"), async (c) => {
    const id = c.req.param("endpointId");
    const sendoutId = await sendTest(c.var.ctx, id);
    return c.redirect(`/p/${c.var.project.id}/webhooks/${sendoutId}`, 303);
  })
  .post("/settings/webhooks/:endpointId/recover", requirePermission("webhooks.manage"), async (c) => {
    const id = c.req.param("endpointId");
    const since = String((await c.req.parseBody()).since ?? "");
    const result = await attempt(() => recoverEndpoint(c.var.ctx, { endpointId: id, since }));
    return redirectWithFlash(
      c,
      endpointPath(c, id),
      result.error ? { error: result.error } : { success: `${result.value ?? 0} failed sendouts queued again.` },
    );
  })
  .post("/settings/webhooks/:endpointId/delete", requirePermission("webhooks.manage"), async (c) => {
    await deleteEndpoint(c.var.ctx, c.req.param("endpointId"));
    return redirectWithFlash(c, `/p/${c.var.project.id}/settings/webhooks`, { success: "Endpoint removed." });
  })
  .get("/webhooks", requirePermission("webhooks.read"), async (c) => {
    const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ""));
    const parsed = SendoutFilters.safeParse(raw);
    const filters = parsed.success ? parsed.data : {};
    let error = parsed.success ? undefined : toValidationError(parsed.error, "query").message;
    let rows: WebhookSendout[] = [];
    const listed = await attempt(() => listSendouts(c.var.ctx, filters));
    if (listed.error) error = listed.error;
    else rows = listed.value ?? [];
    const base = `/p/${c.var.project.id}/webhooks`;
    const link = (status: string | undefined) => {
      const params = new URLSearchParams(Object.entries(raw).filter(([k]) => k !== "status") as [string, string][]);
      if (status) params.set("status", status);
      const q = params.toString();
      return q ? `${base}?${q}` : base;
    };
    const statusLinks = [
      { label: "All", href: link(undefined), active: !filters.status },
      ...SENDOUT_STATUSES.map((s) => ({ label: s, href: link(s), active: filters.status === s })),
    ];
    const urls = await endpointUrls(c.var.ctx);
    const self = new URL(c.req.url);
    return renderPage(c, Sendouts, {
      ...(await takeFlash(c)),
      resendBack: can(c.var.access, "webhooks.resend") ? `${self.pathname}${self.search}` : undefined,
      sendouts: rows.map((s) => sendoutRow(s, urls)),
      filters: raw as Record<string, string>,
      statusLinks,
      error,
      endpointsHref: can(c.var.access, "webhooks.manage") ? `/p/${c.var.project.id}/settings/webhooks` : undefined,
    });
  })
  .get("/webhooks/:sendoutId", requirePermission("webhooks.read"), async (c) =>
    renderSendout(c, c.req.param("sendoutId"), await takeFlash(c)),
  )
  .post("/webhooks/:sendoutId/resend", requirePermission("webhooks.resend"), async (c) => {
    const id = c.req.param("sendoutId");
    const back = (await c.req.parseBody()).back;
    await resendSendout(c.var.ctx, id);
    // A row's Resend returns to the list it was in; only this project's sendouts list, never elsewhere.
    const list = `/p/${c.var.project.id}/webhooks`;
    if (typeof back === "string" && (back === list || back.startsWith(`${list}?`)))
      return redirectWithFlash(c, back, { success: `Sendout ${id} queued for another attempt.` });
    return redirectWithFlash(c, `/p/${c.var.project.id}/webhooks/${id}`, { success: "Queued for another attempt." });
  });
