import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import { mintViewerToken, revokeViewerSessions, ViewerTokenInput } from "../../services/embed/viewer";
import { apiRouter, authProblems, bearerAuth, bodyProblems, json } from "./openapi";

// The embeddable viewer (README "Embeddable viewer"): a vendor's backend mints a link for one of
// its customers' administrators, scoped to that customer's organisation.

const tags = ["Embeddable viewer"];

const ViewerToken = z
  .object({
    id: z.string().describe("The viewer session this token opens."),
    token: z.string().describe("Single use; shown once."),
    url: z.string().describe("Open this in the iframe (or `<trailbook-viewer src>`)."),
    expires_at: z.string().describe("The link works until then; the session it opens lasts `session_expires_in`."),
  })
  .meta({ id: "ViewerToken" });

const RevokeInput = z.strictObject({ organization_id: z.string().min(1).max(128) }).meta({ id: "ViewerRevoke" });

export const viewerTokensApi = apiRouter();
viewerTokensApi.use(apiKeyAuth);

viewerTokensApi.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Mint a single-use link to the embeddable viewer of one organisation",
    security: bearerAuth,
    middleware: [requireScope("admin"), jsonBody(16 * 1024)] as const,
    request: { body: { required: true, content: { "application/json": { schema: ViewerTokenInput } } } },
    responses: { 201: json(ViewerToken, "The token, once."), ...authProblems, ...bodyProblems },
  }),
  async (c) => {
    const minted = await mintViewerToken(c.var.ctx, c.req.valid("json"));
    const url = `${new URL(c.req.url).origin}/embed/t/${minted.token}`;
    return c.json(
      { id: minted.id, token: minted.token, url, expires_at: new Date(minted.expiresAt).toISOString() },
      201,
    );
  },
);

export const viewerSessionsApi = apiRouter();
viewerSessionsApi.use(apiKeyAuth);

viewerSessionsApi.openapi(
  createRoute({
    method: "post",
    path: "/revoke",
    tags,
    summary: "End every viewer session (and unopened link) of an organisation",
    security: bearerAuth,
    middleware: [requireScope("admin"), jsonBody(4 * 1024)] as const,
    request: { body: { required: true, content: { "application/json": { schema: RevokeInput } } } },
    responses: { 200: json(z.object({ revoked: z.int() }), "How many ended."), ...authProblems, ...bodyProblems },
  }),
  async (c) => {
    const revoked = await revokeViewerSessions(c.var.ctx, c.req.valid("json").organization_id);
    return c.json({ revoked }, 200);
  },
);
