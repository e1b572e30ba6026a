import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { dataExports } from "../../db/schema";
import type { AppEnv } from "../../env";
import { ConflictError, GoneError, NotFoundError } from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import {
  ExportInput,
  exportStatus,
  exportView,
  getExport,
  listExports,
  type Requester,
  requestExport,
} from "../../services/exports/request";
import { checkExportLink } from "../../services/exports/signed-link";
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
    status: z.enum(["queued", "running", "done", "failed", "expired"]),
    format: z.enum(["csv", "jsonl"]),
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

function apiRequester(c: Context<AppEnv>): Requester {
  const { key } = c.var.auth;
  return {
    id: key.id,
    name: `API key "${key.name}"`,
    organizationId: null,
    configuration: true,
    actor: { type: "api_key", id: key.id, name: key.name },
    source: "api",
  };
}

/** Serves a stored file from R2, honouring Range requests. */
export async function serveFile(files: R2Bucket, key: string, request: Request, filename: string): Promise<Response> {
  const object = await files.get(key, { range: request.headers, onlyIf: request.headers });
  if (!object) throw new GoneError("The file is no longer stored.");
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("ETag", object.httpEtag);
  headers.set("Accept-Ranges", "bytes");
  headers.set("Content-Disposition", `attachment; filename="${filename}"`);
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  const range = object.range as { offset?: number; length?: number } | undefined;
  if (range && request.headers.has("Range")) {
    const offset = range.offset ?? 0;
    const length = range.length ?? object.size - offset;
    headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("Content-Length", String(length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(object.size));
  return new Response(object.body, { status: 200, headers });
}

export function exportFilename(row: { id: string; format: string; gzip: boolean }): string {
  return `trailbook-${row.id}.${row.format}${row.gzip ? ".gz" : ""}`;
}

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
      const input = c.req.valid("json");
      const { row, task } = await requestExport(c.var.db, c.env, {
        project: c.var.auth.project,
        ...input,
        requester: apiRequester(c),
        enqueue: true,
      });
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
      const page = await listExports(c.var.db, c.var.auth.project.id, null, c.req.valid("query"));
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
      const found = await getExport(c.var.db, c.var.auth.project.id, c.req.valid("param").id);
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
    async (c) => {
      const found = await getExport(c.var.db, c.var.auth.project.id, c.req.valid("param").id);
      if (!found) throw new NotFoundError("No export with this id in this project.");
      const status = exportStatus(found.row, found.task);
      if (status === "expired") throw new GoneError("This export has expired; request a new one.");
      if (status !== "done") throw new ConflictError(`This export is ${status}; download it once it is done.`);
      return serveFile(c.env.FILES, found.row.fileKey, c.req.raw, exportFilename(found.row)) as never;
    },
  );

/** The signed-link download (no API key): what WorkOS-style clients fetch. */
export const exportFilesApi = new Hono<AppEnv>().get("/:id", async (c) => {
  const id = c.req.param("id");
  if (!(await checkExportLink(c.var.config.SECRETS_KEY, id, c.req.query("expires"), c.req.query("signature")))) {
    throw new NotFoundError("This download link is not valid or has expired.");
  }
  const [row] = await c.var.db.select().from(dataExports).where(eq(dataExports.id, id)).limit(1);
  if (!row || row.finishedAt === null) throw new NotFoundError("No such export.");
  if (row.expiresAt <= Date.now()) throw new GoneError("This export has expired.");
  return serveFile(c.env.FILES, row.fileKey, c.req.raw, exportFilename(row));
});
