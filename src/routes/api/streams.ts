import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { STREAM_DESTINATIONS, STREAM_FORMATS, STREAM_STATES } from "../../db/schema";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import {
  createStream,
  deleteStream,
  getStream,
  pageStreams,
  ReplayInput,
  replayStream,
  requestTest,
  StreamInput,
  StreamUpdate,
  streamHealth,
  streamView,
  updateStream,
} from "../../services/streams/manage";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  bodyProblems,
  conflictProblem,
  json,
  listQueryProblem,
  notFoundProblem,
  PageParams,
  pageOf,
} from "./openapi";

const Health = z.object({
  last_delivered_at: z.string().nullable(),
  delivered_events: z.int(),
  lag_events: z
    .int()
    .describe("Events received after the stream's position (matching its filter), counted up to 10,000."),
  lag_seconds: z.int().describe("Age of the oldest of them; 0 when there is none."),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
  failing_since: z.string().nullable(),
});

const Stream = z
  .object({
    id: z.string(),
    name: z.string(),
    destination: z
      .object({ type: z.enum(STREAM_DESTINATIONS), endpoint_url: z.string() })
      .catchall(z.unknown())
      .describe("The destination's settings; secrets are never shown."),
    filter: z.string(),
    format: z.enum(STREAM_FORMATS),
    state: z.enum(STREAM_STATES),
    disabled_reason: z.string().nullable(),
    cursor: z.string().describe("The events feed position after the last event delivered."),
    last_test_at: z.string().nullable(),
    last_test_result: z.string().nullable(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
    health: Health,
  })
  .meta({ id: "LogStream" });

const Id = z.object({ id: z.string().max(64) });
const tags = ["Log streams"];
const BODY_LIMIT = 64 * 1024;

export const streamsApi = apiRouter();
streamsApi.use(apiKeyAuth);

streamsApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Add a log stream (at most 5 per project)",
      description: "For an `https` destination the answer carries the signing secret (`whsec_…`), this once.",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(BODY_LIMIT)] as const,
      request: { body: { required: true, content: { "application/json": { schema: StreamInput } } } },
      responses: {
        201: json(Stream.extend({ secret: z.string().optional() }), "Created."),
        ...authProblems,
        ...bodyProblems,
        ...conflictProblem,
      },
    }),
    async (c) => {
      const { ctx } = c.var;
      const { stream, secret } = await createStream(ctx, c.req.valid("json"));
      return c.json({ ...streamView(stream, await streamHealth(ctx, stream)), ...(secret && { secret }) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Log streams with their health, newest first",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { query: PageParams.strict() },
      responses: { 200: json(pageOf(Stream), "A page of streams."), ...authProblems, ...listQueryProblem },
    }),
    async (c) => {
      const { ctx } = c.var;
      const page = await pageStreams(ctx, c.req.valid("query"));
      const data = await Promise.all(page.data.map(async (s) => streamView(s, await streamHealth(ctx, s))));
      return c.json({ data, next_cursor: page.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One log stream with its health",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 200: json(Stream, "The stream."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const { ctx } = c.var;
      const stream = await getStream(ctx, c.req.valid("param").id);
      return c.json(streamView(stream, await streamHealth(ctx, stream)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags,
      summary: "Change, pause or resume a log stream",
      description:
        "A resumed stream delivers what it missed, up to 7 days back. A new signing secret (an HTTPS destination replacing another type) is in the answer, this once.",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(BODY_LIMIT)] as const,
      request: { params: Id, body: { required: true, content: { "application/json": { schema: StreamUpdate } } } },
      responses: {
        200: json(Stream.extend({ secret: z.string().optional() }), "Changed."),
        ...authProblems,
        ...bodyProblems,
        ...notFoundProblem,
      },
    }),
    async (c) => {
      const { ctx } = c.var;
      const { stream, secret } = await updateStream(ctx, c.req.valid("param").id, c.req.valid("json"));
      return c.json({ ...streamView(stream, await streamHealth(ctx, stream)), ...(secret && { secret }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Remove a log stream",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 204: { description: "Removed." }, ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      await deleteStream(c.var.ctx, c.req.valid("param").id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/test",
      tags,
      summary: "Send a test batch (one synthetic event, in the stream's format)",
      description: "The result shows in `last_test_at` and `last_test_result` once sent.",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 202: json(Stream, "Queued."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const { ctx } = c.var;
      const stream = await requestTest(ctx, c.req.valid("param").id);
      return c.json(streamView(stream, await streamHealth(ctx, stream)), 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/replay",
      tags,
      summary: "Deliver again from a time or a feed cursor",
      description:
        "`from` (a time; without an offset read in the project's timezone) or `cursor` (a `next_cursor` of `GET /v1/events/feed`). Replayed batches get new batch ids.",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(4 * 1024)] as const,
      request: { params: Id, body: { required: true, content: { "application/json": { schema: ReplayInput } } } },
      responses: {
        202: json(Stream, "The stream at its new position."),
        ...authProblems,
        ...bodyProblems,
        ...notFoundProblem,
      },
    }),
    async (c) => {
      const { ctx } = c.var;
      const stream = await replayStream(ctx, c.req.valid("param").id, c.req.valid("json"));
      return c.json(streamView(stream, await streamHealth(ctx, stream)), 202);
    },
  );
