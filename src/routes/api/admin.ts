import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { REGIONS, SHARD_STATES } from "../../db/schema";
import type { AppEnv } from "../../env";
import { NotFoundError } from "../../lib/errors";
import { jsonBody } from "../../middleware/json-body";
import { operatorAuth } from "../../middleware/operator-auth";
import { startMove } from "../../services/shards/move";
import { setShardState, shardOverview } from "../../services/shards/overview";
import { taskView } from "../../services/tasks/view";
import { apiRouter, bodyProblems, json, notFoundProblem, problem } from "./openapi";
import { TaskView } from "./tasks";

const ShardView = z
  .object({
    binding: z.string().describe("The D1 binding: EVENTS_<n> or EVENTS_EU_<n>."),
    region: z.enum(REGIONS),
    state: z.enum(SHARD_STATES).describe("open: takes new projects; closed: does not; draining: being emptied."),
    size_bytes: z.int().describe("Measured size (D1 `meta.size_after`)."),
    measured_at: z.string().nullable(),
    projects: z.int(),
    closing: z.boolean().describe("At or above SHARD_CLOSE_BYTES: no new projects."),
    full: z.boolean().describe("At or above SHARD_FULL_BYTES: its projects' ingest answers 503."),
  })
  .meta({ id: "Shard" });

const operatorProblems = {
  401: problem("No or wrong operator token."),
  404: problem("No operators' API on this deployment (OPERATOR_TOKEN unset), or no such shard or project."),
} as const;
const security = [{ operatorAuth: [] }];
const BODY_MAX_BYTES = 4 * 1024;
const tags = ["Operators"];

const view = (s: Awaited<ReturnType<typeof shardOverview>>[number]) => ({
  binding: s.binding,
  region: s.region,
  state: s.state,
  size_bytes: s.sizeBytes,
  measured_at: s.measuredAt === null ? null : new Date(s.measuredAt).toISOString(),
  projects: s.projects,
  closing: s.closing,
  full: s.full,
});

/** The operators' API (README "Storage at scale"): shards, their state, and moving projects between them. */
export const adminApi = apiRouter<AppEnv>();
adminApi.use(operatorAuth);

adminApi
  .openapi(
    createRoute({
      method: "get",
      path: "/shards",
      tags,
      summary: "Event shards with their size, state and projects",
      security,
      responses: { 200: json(z.object({ data: z.array(ShardView) }), "Every bound shard."), ...operatorProblems },
    }),
    async (c) => c.json({ data: (await shardOverview(c.var.ctx)).map(view) }, 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/shards/{binding}",
      tags,
      summary: "Open, close or drain a shard",
      security,
      middleware: [jsonBody(BODY_MAX_BYTES)] as const,
      request: {
        params: z.object({ binding: z.string().max(64) }),
        body: {
          required: true,
          content: { "application/json": { schema: z.strictObject({ state: z.enum(SHARD_STATES) }) } },
        },
      },
      responses: { 200: json(ShardView, "The shard."), ...operatorProblems, ...bodyProblems },
    }),
    async (c) => {
      const { binding } = c.req.valid("param");
      await setShardState(c.var.ctx, binding, c.req.valid("json").state);
      const shard = (await shardOverview(c.var.ctx)).find((s) => s.binding === binding);
      if (!shard) throw new NotFoundError(`This deployment has no shard ${binding}.`);
      return c.json(view(shard), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/moves",
      tags,
      summary: "Move a project's events to another shard (a background task)",
      security,
      middleware: [jsonBody(BODY_MAX_BYTES)] as const,
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.strictObject({ project_id: z.string().min(1).max(64), shard: z.string().min(1).max(64) }),
            },
          },
        },
      },
      responses: {
        202: json(TaskView, "The move task; follow it at GET /v1/admin/tasks/{id}."),
        409: problem("A move or retention of the project is running."),
        ...operatorProblems,
        ...bodyProblems,
        ...notFoundProblem,
      },
    }),
    async (c) => {
      const { project_id, shard } = c.req.valid("json");
      return c.json(taskView(await startMove(c.var.ctx, project_id, shard)), 202);
    },
  );
