import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { InvariantError, NotFoundError } from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import { compileFilters, EventFilters } from "../../services/events/filters";
import { countEvents, getEvent, listEvents } from "../../services/events/query";
import {
  BATCH_MAX_BYTES,
  BatchInput,
  EventInput,
  IngestResult,
  SINGLE_MAX_BYTES,
  StoredEvent,
} from "../../services/events/schema";
import { recordEvents } from "../../services/ingest/record";
import { clientSignatureOf, requestSignature, SIGNATURE_HEADER } from "../../services/integrity/client-signatures";
import { proveEvent } from "../../services/integrity/proofs";
import { InclusionProof, proofProblems } from "./integrity";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  bodyProblems,
  conflictProblem,
  invalidQueryProblem,
  json,
  notFoundProblem,
} from "./openapi";

const ListParams = EventFilters.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("1–200, default 50."),
  cursor: z.string().max(500).optional().describe("`next_cursor` of the previous page."),
});

const tags = ["Events"];

/** Posting with an API key that has a public key (README "Customer-side signatures"). */
const signatureHeader = z.object({
  [SIGNATURE_HEADER.toLowerCase()]: z
    .string()
    .max(200)
    .optional()
    .describe("`ed25519=<base64 signature of the exact body>`: required for keys with a public key."),
});

const StoredEventWithSignature = StoredEvent.extend({
  client_signature: z
    .object({
      algorithm: z.literal("Ed25519"),
      key_id: z.string(),
      public_key: z.string().nullable(),
      signature: z.string(),
    })
    .optional()
    .describe("The customer's signature of the request that carried the event, when its key signs what it posts."),
});

export const eventsApi = apiRouter();
eventsApi.use(apiKeyAuth);

eventsApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Record one event",
      security: bearerAuth,
      middleware: [requireScope("ingest"), jsonBody(SINGLE_MAX_BYTES)] as const,
      request: {
        headers: signatureHeader,
        body: { required: true, content: { "application/json": { schema: EventInput } } },
      },
      responses: {
        201: json(IngestResult, "Stored (or already stored: `duplicate: true`)."),
        ...authProblems,
        ...bodyProblems,
        ...conflictProblem,
      },
    }),
    async (c) => {
      const signature = await requestSignature(c.var.ctx, c.req.header(SIGNATURE_HEADER), await c.req.arrayBuffer());
      const [result] = await recordEvents(c.var.ctx, [c.req.valid("json")], { batch: false, signature });
      if (!result) throw new InvariantError("recordEvents returned no result for one event");
      const { data: _data, ...answer } = result;
      return c.json(answer, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/batch",
      tags,
      summary: "Record up to 1,000 events, all or nothing",
      security: bearerAuth,
      middleware: [requireScope("ingest"), jsonBody(BATCH_MAX_BYTES)] as const,
      request: {
        headers: signatureHeader,
        body: { required: true, content: { "application/json": { schema: BatchInput } } },
      },
      responses: {
        201: json(z.object({ data: z.array(IngestResult) }), "All stored; results in input order."),
        ...authProblems,
        ...bodyProblems,
        ...conflictProblem,
      },
    }),
    async (c) => {
      const signature = await requestSignature(c.var.ctx, c.req.header(SIGNATURE_HEADER), await c.req.arrayBuffer());
      const results = await recordEvents(c.var.ctx, c.req.valid("json").events, { batch: true, signature });
      return c.json({ data: results.map(({ data: _data, ...answer }) => answer) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List events, newest first",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { query: ListParams },
      responses: {
        200: json(z.object({ data: z.array(StoredEvent), next_cursor: z.string().nullable() }), "A page of events."),
        ...authProblems,
        ...invalidQueryProblem,
      },
    }),
    async (c) => {
      const { limit, cursor, ...filters } = c.req.valid("query");
      const { ctx } = c.var;
      const page = await listEvents(ctx, compileFilters(filters, ctx.project.timezone), { limit, cursor });
      return c.json(page, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/count",
      tags,
      summary: "Count the events matching the filters",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { query: EventFilters },
      responses: {
        200: json(z.object({ count: z.int() }), "The number of matching events."),
        ...authProblems,
        ...invalidQueryProblem,
      },
    }),
    async (c) => {
      const { ctx } = c.var;
      const count = await countEvents(ctx, compileFilters(c.req.valid("query"), ctx.project.timezone));
      return c.json({ count }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One event",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: z.object({ id: z.string().max(128) }) },
      responses: { 200: json(StoredEventWithSignature, "The event."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const event = await getEvent(c.var.ctx, id, { conditions: [], text: [] });
      if (!event) throw new NotFoundError("No event with this id in this project.");
      const signature = await clientSignatureOf(c.var.ctx, id);
      return c.json(signature ? { ...event, client_signature: signature } : event, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/proof",
      tags,
      summary: "The event's inclusion proof",
      description:
        "The event as hashed, its RFC 6962 audit path to its hourly digest's Merkle root, the signed digest, and the digest's path to its epoch when that is closed: enough to check offline, with only the public key, that the event is in the signed record (README \"Proofs\").",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: z.object({ id: z.string().max(128) }) },
      responses: {
        200: json(InclusionProof, "The proof."),
        ...authProblems,
        ...notFoundProblem,
        ...proofProblems,
      },
    }),
    async (c) => c.json(await proveEvent(c.var.ctx, c.req.valid("param").id), 200),
  );
