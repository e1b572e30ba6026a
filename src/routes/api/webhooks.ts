import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { SENDOUT_STATUSES, WEBHOOK_TRIGGERS } from "../../db/schema";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import {
  createEndpoint,
  deleteEndpoint,
  EndpointInput,
  EndpointUpdate,
  endpointView,
  getEndpoint,
  pageEndpoints,
  rotateSecret,
  sendTest,
  updateEndpoint,
} from "../../services/webhooks/endpoints";
import {
  getSendout,
  pageSendouts,
  recoverEndpoint,
  resendSendout,
  SendoutFilters,
  sendoutView,
} from "../../services/webhooks/sendouts";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  bodyProblems,
  json,
  listQueryProblem,
  notFoundProblem,
  PageParams,
  pageOf,
} from "./openapi";

const Endpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    event_types: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    failing_since: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "WebhookEndpoint" });
const Attempt = z.object({
  id: z.string(),
  trigger: z.enum(WEBHOOK_TRIGGERS),
  started_at: z.string(),
  duration_ms: z.int(),
  request_headers: z.record(z.string(), z.string()),
  response_status: z.int().nullable(),
  response_excerpt: z.string().nullable(),
  error: z.string().nullable(),
});
const Sendout = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_id: z.string(),
    type: z.string(),
    request_id: z.string().nullable(),
    status: z.enum(SENDOUT_STATUSES),
    attempt_count: z.int(),
    last_status_code: z.int().nullable(),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
    sent_at: z.string().nullable(),
    attempts: z.array(Attempt).optional(),
  })
  .meta({ id: "WebhookSendout" });

const Id = z.object({ id: z.string().max(64) });

export const webhooksApi = apiRouter();
webhooksApi.use(apiKeyAuth);
const tags = ["Webhooks"];

webhooksApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Add an endpoint (the answer carries its secret, once)",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(64 * 1024)] as const,
      request: { body: { required: true, content: { "application/json": { schema: EndpointInput } } } },
      responses: { 201: json(Endpoint.extend({ secret: z.string() }), "Created."), ...authProblems, ...bodyProblems },
    }),
    async (c) => {
      const { endpoint, secret } = await createEndpoint(c.var.ctx, c.req.valid("json"));
      return c.json({ ...endpointView(endpoint), secret }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Endpoints, newest first",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { query: PageParams.strict() },
      responses: { 200: json(pageOf(Endpoint), "A page of endpoints."), ...authProblems, ...listQueryProblem },
    }),
    async (c) => {
      const page = await pageEndpoints(c.var.ctx, c.req.valid("query"));
      return c.json({ data: page.data.map(endpointView), next_cursor: page.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One endpoint",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 200: json(Endpoint, "The endpoint."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => c.json(endpointView(await getEndpoint(c.var.ctx, c.req.valid("param").id)), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags,
      summary: "Change an endpoint",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(64 * 1024)] as const,
      request: { params: Id, body: { required: true, content: { "application/json": { schema: EndpointUpdate } } } },
      responses: { 200: json(Endpoint, "Changed."), ...authProblems, ...bodyProblems, ...notFoundProblem },
    }),
    async (c) => {
      const updated = await updateEndpoint(c.var.ctx, c.req.valid("param").id, c.req.valid("json"));
      return c.json(endpointView(updated), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Remove an endpoint",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 204: { description: "Removed." }, ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      await deleteEndpoint(c.var.ctx, c.req.valid("param").id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/rotate-secret",
      tags,
      summary: "New secret; the old one signs too for 24 h",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: {
        200: json(z.object({ secret: z.string() }), "The new secret."),
        ...authProblems,
        ...notFoundProblem,
      },
    }),
    async (c) => c.json({ secret: await rotateSecret(c.var.ctx, c.req.valid("param").id) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/test",
      tags,
      summary: "Send a test delivery",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 202: json(z.object({ sendout_id: z.string() }), "Queued."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => c.json({ sendout_id: await sendTest(c.var.ctx, c.req.valid("param").id) }, 202),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/recover",
      tags,
      summary: "Resend every failed sendout since a time",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(4 * 1024)] as const,
      request: {
        params: Id,
        body: {
          required: true,
          content: { "application/json": { schema: z.strictObject({ since: z.string().max(64) }) } },
        },
      },
      responses: {
        202: json(z.object({ resent: z.int() }), "Queued."),
        ...authProblems,
        ...bodyProblems,
        ...notFoundProblem,
      },
    }),
    async (c) =>
      c.json(
        {
          resent: await recoverEndpoint(c.var.ctx, {
            endpointId: c.req.valid("param").id,
            since: c.req.valid("json").since,
          }),
        },
        202,
      ),
  );

export const sendoutsApi = apiRouter();
sendoutsApi.use(apiKeyAuth);
const sendoutTags = ["Webhook sendouts"];

sendoutsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: sendoutTags,
      summary: "Sendouts, newest first",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { query: SendoutFilters.extend(PageParams.shape) },
      responses: {
        200: json(pageOf(Sendout), "A page of sendouts."),
        ...authProblems,
        ...listQueryProblem,
      },
    }),
    async (c) => {
      const { limit, cursor, ...filters } = c.req.valid("query");
      const page = await pageSendouts(c.var.ctx, filters, { limit, cursor });
      return c.json({ data: page.data.map((s) => sendoutView(s)), next_cursor: page.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: sendoutTags,
      summary: "One sendout with every attempt",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: Id },
      responses: { 200: json(Sendout, "The sendout."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const { sendout, attempts } = await getSendout(c.var.ctx, c.req.valid("param").id);
      return c.json(sendoutView(sendout, attempts), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/resend",
      tags: sendoutTags,
      summary: "Send again (a new attempt, same sendout id)",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 202: json(Sendout, "Queued."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const sendout = await resendSendout(c.var.ctx, c.req.valid("param").id);
      return c.json(sendoutView({ ...sendout, status: "pending" }), 202);
    },
  );
