import { createRoute } from "@hono/zod-openapi";
import { Hono } from "hono";
import { z } from "zod";
import { EXPORT_FORMATS } from "../../db/schema";
import type { AppEnv } from "../../env";
import { NotFoundError } from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import { downloadExport, downloadSignedExport } from "../../services/exports/download";
import {
  EXPORT_STATUSES,
  ExportInput,
  exportView,
  getExport,
  listExports,
  requestExport,
} from "../../services/exports/request";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  bodyProblems,
  json,
  listQueryProblem,
  notFoundProblem,
  PageParams,
  Problem,
  pageOf,
} from "./openapi";

const ExportView = z
  .object({
    id: z.string(),
    status: z.enum(EXPORT_STATUSES),
    format: z.enum(EXPORT_FORMATS),
    gzip: z.boolean(),
    filters: z.record(z.string(), z.string()),
    row_count: z.int().nullable(),
    bytes: z.int().nullable(),
    task_id: z.string(),
    created_by: z.string(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    expires_at: z.string(),
  })
  .meta({ id: "Export" });

const tags = ["Exports"];
const Id = z.object({ id: z.string().max(64) });

export const exportsApi = apiRouter();
exportsApi.use(apiKeyAuth);

exportsApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Export the events matching filters (CSV or JSON Lines, optionally gzip)",
      security: bearerAuth,
      middleware: [requireScope("read"), jsonBody(64 * 1024)] as const,
      request: { body: { required: true, content: { "application/json": { schema: ExportInput } } } },
      responses: { 202: json(ExportView, "Queued; poll it or its task."), ...authProblems, ...bodyProblems },
    }),
    async (c) => {
      const { row, task } = await requestExport(c.var.ctx, { ...c.req.valid("json"), enqueue: true });
      return c.json(exportView(row, task), 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Exports of the project, newest first",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { query: PageParams.strict() },
      responses: { 200: json(pageOf(ExportView), "A page of exports."), ...authProblems, ...listQueryProblem },
    }),
    async (c) => {
      const page = await listExports(c.var.ctx, c.req.valid("query"));
      return c.json(
        { data: page.data.map((r) => exportView(r.row, { status: r.taskStatus })), next_cursor: page.next_cursor },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One export",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: Id },
      responses: { 200: json(ExportView, "The export."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const found = await getExport(c.var.ctx, c.req.valid("param").id);
      if (!found) throw new NotFoundError("No export with this id in this project.");
      return c.json(exportView(found.row, found.task), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/download",
      tags,
      summary: "The export file (Range requests honoured)",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: Id },
      responses: {
        200: {
          description: "The file.",
          content: {
            "text/csv": { schema: z.string() },
            "application/x-ndjson": { schema: z.string() },
            "application/gzip": { schema: z.string() },
          },
        },
        206: { description: "Part of the file." },
        409: { description: "Not finished yet.", content: { "application/problem+json": { schema: Problem } } },
        410: { description: "Expired.", content: { "application/problem+json": { schema: Problem } } },
        ...authProblems,
        ...notFoundProblem,
      },
    }),
    async (c) => (await downloadExport(c.var.ctx, c.req.valid("param").id, c.req.raw)) as never,
  );

/** The signed-link download (no API key): what WorkOS-style clients fetch. */
export const exportFilesApi = new Hono<AppEnv>().get("/:id", (c) =>
  downloadSignedExport(
    c.var.ctx,
    { id: c.req.param("id"), expires: c.req.query("expires"), signature: c.req.query("signature") },
    c.req.raw,
  ),
);
