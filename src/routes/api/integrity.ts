import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { ValidationError } from "../../lib/errors";
import { parseTimeBound } from "../../lib/time";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import type { ProjectContext } from "../../services/context";
import { digestView, listDigests, publicKeyOf, signingKeyOf, verifyRange } from "../../services/integrity/digests";
import { apiRouter, authProblems, bearerAuth, bodyProblems, invalidQueryProblem, json } from "./openapi";

const tags = ["Integrity"];
const Range = z.strictObject({ from: z.string().max(64).optional(), to: z.string().max(64).optional() });

function range(ctx: ProjectContext, input: { from?: string | undefined; to?: string | undefined }) {
  const tz = ctx.project.timezone;
  const read = (value: string | undefined, name: string, edge: "start" | "end") => {
    if (!value) return undefined;
    const ms = parseTimeBound(value, tz, edge);
    if (ms === null)
      throw new ValidationError(`${name}: "${value}" is not a date or time`, [
        { path: name, message: "not a date or time" },
      ]);
    return ms;
  };
  return { from: read(input.from, "from", "start"), to: read(input.to, "to", "end") };
}

const Digest = z
  .object({
    project_id: z.string(),
    window_start: z.int(),
    window_end: z.int(),
    window_start_iso: z.string(),
    window_end_iso: z.string(),
    event_count: z.int(),
    root: z.string(),
    previous_hash: z.string(),
    hash: z.string(),
    signature: z.string(),
    key_id: z.string(),
  })
  .meta({ id: "Digest" });

/** The public key needs no API key: anyone verifying an export offline fetches it. */
export const publicKeyApi = apiRouter<AppEnv>();

publicKeyApi.openapi(
  createRoute({
    method: "get",
    path: "/public-key",
    tags,
    summary: "The Ed25519 public key that signs digests",
    responses: {
      200: json(
        z.object({ algorithm: z.literal("Ed25519"), public_key: z.string(), key_id: z.string() }),
        "The key (base64url).",
      ),
    },
  }),
  async (c) =>
    c.json(
      (await publicKeyOf(signingKeyOf(c.var.ctx))) as { algorithm: "Ed25519"; public_key: string; key_id: string },
      200,
    ),
);

export const integrityApi = apiRouter();
integrityApi.use("/digests", apiKeyAuth);
integrityApi.use("/verify", apiKeyAuth);

integrityApi
  .openapi(
    createRoute({
      method: "get",
      path: "/digests",
      tags,
      summary: "Signed hourly digests",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { query: Range },
      responses: {
        200: json(z.object({ data: z.array(Digest) }), "Digests, oldest first."),
        ...authProblems,
        ...invalidQueryProblem,
      },
    }),
    async (c) => {
      const { from, to } = range(c.var.ctx, c.req.valid("query"));
      return c.json({ data: (await listDigests(c.var.ctx, from, to)).map(digestView) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/verify",
      tags,
      summary: "Recompute the digested windows of a time range and compare",
      security: bearerAuth,
      middleware: [requireScope("read"), jsonBody(4096)] as const,
      request: { body: { required: true, content: { "application/json": { schema: Range } } } },
      responses: {
        200: json(
          z.object({
            ok: z.boolean(),
            checked: z.int(),
            verified: z.int(),
            pruned: z.array(z.object({ window_start: z.string(), window_end: z.string() })),
            broken: z.array(z.object({ window_start: z.string(), window_end: z.string(), reason: z.string() })),
            first_broken: z.object({ window_start: z.string(), window_end: z.string(), reason: z.string() }).nullable(),
          }),
          "The verification report.",
        ),
        ...authProblems,
        ...bodyProblems,
      },
    }),
    async (c) => {
      const { from, to } = range(c.var.ctx, c.req.valid("json"));
      return c.json(await verifyRange(c.var.ctx, from ?? 0, to ?? Date.now()), 200);
    },
  );
