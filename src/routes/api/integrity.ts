import { createRoute } from "@hono/zod-openapi";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { ValidationError } from "../../lib/errors";
import { FORMATS } from "../../lib/proofs";
import { parseTimeBound } from "../../lib/time";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import type { ProjectContext } from "../../services/context";
import { digestView, listDigests, publicKeyOf, signingKeyOf, verifyRange } from "../../services/integrity/digests";
import { digestChain, epochChain, proveDigestInEpoch } from "../../services/integrity/proofs";
import { listPublished, servePublished } from "../../services/integrity/publish";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  bodyProblems,
  invalidQueryProblem,
  json,
  notFoundProblem,
  problem,
} from "./openapi";

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

/** An hour named by any instant in it: an ISO time, or a date (its midnight), in the project's zone. */
function hourOf(ctx: ProjectContext, value: string, name: string): number {
  const ms = parseTimeBound(value, ctx.project.timezone, "start");
  if (ms === null)
    throw new ValidationError(`${name}: "${value}" is not a date or time`, [
      { path: name, message: "not a date or time" },
    ]);
  return ms;
}

const Hex = z.string().describe("SHA-256, 64 lowercase hex digits.");

const SignedDigest = z
  .object({
    project_id: z.string(),
    window_start: z.int().describe("Epoch milliseconds; the window is [window_start, window_end)."),
    window_end: z.int(),
    event_count: z.int(),
    root: Hex.describe("RFC 6962 Merkle root of the window's event hashes, in (received_at, id) order."),
    previous_hash: Hex.describe("The previous digest's hash; 64 zeros for the first."),
    hash: Hex.describe("SHA-256 of the RFC 8785 JSON of the six fields above."),
    signature: z.string().describe("Ed25519 over the UTF-8 text of `hash`, base64url."),
    key_id: z.string(),
  })
  .meta({ id: "SignedDigest", description: 'A digest as evidence documents carry it (README "Proofs").' });

const SignedEpoch = z
  .object({
    project_id: z.string(),
    epoch: z.int().describe("0 for the project's first epoch."),
    first_window_start: z.int(),
    window_end: z.int(),
    digest_count: z.int(),
    root: Hex.describe("RFC 6962 Merkle root of the epoch's digest hashes, in window order."),
    previous_hash: Hex,
    hash: Hex,
    signature: z.string(),
    key_id: z.string(),
  })
  .meta({ id: "SignedEpoch", description: "A signed Merkle root over 8,760 digests (about a year)." });

const Inclusion = z.object({
  leaf_index: z.int(),
  tree_size: z.int(),
  audit_path: z.array(Hex).describe("RFC 6962 PATH: sibling hashes from the leaf up."),
});

const EpochInclusion = z.object({ record: SignedEpoch, inclusion: Inclusion });

export const InclusionProof = z
  .object({
    format: z.literal(FORMATS.inclusion),
    event: z.object({
      id: z.string(),
      data: z.string().describe("The stored event exactly as hashed (RFC 8785 JSON)."),
      hash: Hex,
    }),
    inclusion: Inclusion,
    digest: SignedDigest,
    epoch: EpochInclusion.nullable().describe("The digest's path to its epoch's root, once the epoch is closed."),
  })
  .meta({ id: "InclusionProof", description: "Check offline with `npm run verify -- --proof`." });

/** The answers of a proof that cannot be given now. */
export const proofProblems = {
  409: problem("Not digested yet (with Retry-After), or no proof can be made; `detail` says which."),
} as const;

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
for (const path of ["/digests", "/verify", "/consistency", "/epochs", "/epochs/*"]) integrityApi.use(path, apiKeyAuth);

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
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/consistency",
      tags,
      summary: "The chain of signed digests between two hours",
      description:
        "Every digest from the one of `from`'s hour to the one of `to`'s (default: the latest), in order; each names the previous one's hash. Check it with `npm run verify -- --chain`, with `--kept` a digest you kept earlier.",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: {
        query: z.strictObject({
          from: z
            .string()
            .max(64)
            .describe("The first digest's hour, by any instant in it (a bare date: its midnight)."),
          to: z.string().max(64).optional().describe("The last digest's hour, likewise; the latest when omitted."),
        }),
      },
      responses: {
        200: json(
          z.object({ format: z.literal(FORMATS.digestChain), project_id: z.string(), digests: z.array(SignedDigest) }),
          "The chain, oldest first (at most 10,000 digests).",
        ),
        ...authProblems,
        ...invalidQueryProblem,
        ...notFoundProblem,
      },
    }),
    async (c) => {
      const { ctx } = c.var;
      signingKeyOf(ctx);
      const { from, to } = c.req.valid("query");
      return c.json(await digestChain(ctx, hourOf(ctx, from, "from"), to ? hourOf(ctx, to, "to") : undefined), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/epochs",
      tags,
      summary: "Signed epoch roots",
      description:
        "Each epoch is a Merkle root over 8,760 consecutive digests (about a year of hours), chained to the previous epoch.",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      responses: {
        200: json(
          z.object({ format: z.literal(FORMATS.epochChain), project_id: z.string(), epochs: z.array(SignedEpoch) }),
          "Every closed epoch, oldest first.",
        ),
        ...authProblems,
      },
    }),
    async (c) => {
      signingKeyOf(c.var.ctx);
      return c.json(await epochChain(c.var.ctx), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/epochs/proof",
      tags,
      summary: "A digest's audit path to its epoch's root",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: {
        query: z.strictObject({ window: z.string().max(64).describe("The digest's hour: an ISO time, or a date.") }),
      },
      responses: {
        200: json(
          z.object({ format: z.literal(FORMATS.epochProof), digest: SignedDigest, epoch: EpochInclusion }),
          "The digest, its epoch and the path.",
        ),
        ...authProblems,
        ...invalidQueryProblem,
        ...notFoundProblem,
        ...proofProblems,
      },
    }),
    async (c) => {
      const { ctx } = c.var;
      return c.json(await proveDigestInEpoch(ctx, hourOf(ctx, c.req.valid("query").window, "window")), 200);
    },
  );

/**
 * The published copies of digests and epochs (README "Published roots"): no API key, read-only,
 * and only for projects that turned publishing on (any other project id is a 404).
 */
export const publicDigestsApi = new Hono<AppEnv>()
  .get("/:projectId", (c) => c.redirect(`/public/digests/${encodeURIComponent(c.req.param("projectId"))}/`, 301))
  .get("/:projectId/", (c) =>
    listPublished(c.var.ctx, c.req.param("projectId"), c.req.query("cursor"), new URL(c.req.url).origin),
  )
  .get("/:projectId/epochs/:name", (c) =>
    servePublished(c.var.ctx, c.req.param("projectId"), `epochs/${c.req.param("name")}`),
  )
  .get("/:projectId/:name", (c) => servePublished(c.var.ctx, c.req.param("projectId"), c.req.param("name")));
