import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { dataExports } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError, ConflictError, GoneError, NotFoundError } from "../../lib/errors";
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

type Validators = { etag: string; modified: number };

/** The entity tags of an If-Match / If-None-Match value; members that are not entity tags are skipped. */
function entityTags(value: string): { any: boolean; tags: { weak: boolean; opaque: string }[] } {
  if (value.trim() === "*") return { any: true, tags: [] };
  const tags = [...value.matchAll(/(W\/)?"([^"]*)"/g)].map((m) => ({ weak: Boolean(m[1]), opaque: m[2] ?? "" }));
  return { any: false, tags };
}

/** An HTTP date to the second, or undefined when the value is not one (and is then ignored). */
function httpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * RFC 9110 §13.2.2, in its order: a failed If-Match or If-Unmodified-Since is a 412; a matching
 * If-None-Match or an unchanged If-Modified-Since is a 304. A malformed If-None-Match names no tag,
 * so it matches nothing and the file is served.
 */
function preconditions(headers: Headers, file: Validators): "pass" | 412 | 304 {
  const ifMatch = headers.get("If-Match");
  if (ifMatch !== null) {
    const { any, tags } = entityTags(ifMatch);
    if (!any && !tags.some((t) => !t.weak && t.opaque === file.etag)) return 412;
  } else {
    const since = httpDate(headers.get("If-Unmodified-Since"));
    if (since !== undefined && file.modified > since) return 412;
  }
  const ifNoneMatch = headers.get("If-None-Match");
  if (ifNoneMatch !== null) {
    const { any, tags } = entityTags(ifNoneMatch);
    if (any || tags.some((t) => t.opaque === file.etag)) return 304;
  } else {
    const since = httpDate(headers.get("If-Modified-Since"));
    if (since !== undefined && file.modified <= since) return 304;
  }
  return "pass";
}

/**
 * The one byte range asked for (RFC 9110 §14), "unsatisfiable", or undefined to send the whole
 * file: without a Range, with one that is not a single well-formed `bytes` range (which a server
 * may ignore), or with an If-Range the file no longer matches.
 */
function byteRange(headers: Headers, file: Validators & { size: number }) {
  const range = headers.get("Range");
  if (range === null) return undefined;
  const ifRange = headers.get("If-Range");
  if (ifRange !== null) {
    const [tag] = entityTags(ifRange).tags;
    const matches = tag ? !tag.weak && tag.opaque === file.etag : httpDate(ifRange) === file.modified;
    if (!matches) return undefined;
  }
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(range);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const { size } = file;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    const offset = Math.max(0, size - suffix);
    return { offset, length: size - offset };
  }
  const first = Number(m[1]);
  const last = m[2] === "" ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (last < first) return undefined;
  if (first >= size) return "unsatisfiable";
  return { offset: first, length: Math.min(last, size - 1) - first + 1 };
}

/**
 * Serves a stored file from R2 with its validators, answering conditional requests (304, 412) and
 * single byte ranges (206, or 416 with `Content-Range: bytes *\/size`) as RFC 9110 says.
 */
export async function serveFile(files: R2Bucket, key: string, request: Request, filename: string): Promise<Response> {
  const stored = await files.head(key);
  if (!stored) throw new GoneError("The file is no longer stored.");
  // HTTP dates have whole seconds, so the file's time is compared at that precision.
  const file = { etag: stored.etag, modified: Math.floor(stored.uploaded.getTime() / 1000) * 1000, size: stored.size };
  const headers = new Headers();
  stored.writeHttpMetadata(headers);
  headers.set("ETag", stored.httpEtag);
  headers.set("Last-Modified", new Date(file.modified).toUTCString());
  headers.set("Accept-Ranges", "bytes");
  headers.set("Content-Disposition", `attachment; filename="${filename}"`);
  const verdict = preconditions(request.headers, file);
  if (verdict === 412)
    throw new AppError(
      412,
      "precondition-failed",
      "Precondition failed",
      "The file does not match If-Match or If-Unmodified-Since.",
    );
  if (verdict === 304) return new Response(null, { status: 304, headers });
  const range = byteRange(request.headers, file);
  if (range === "unsatisfiable")
    throw new AppError(
      416,
      "range-not-satisfiable",
      "Range not satisfiable",
      `The file has ${file.size} bytes; the range asked for starts past its end.`,
      [],
      { "Content-Range": `bytes */${file.size}` },
    );
  const object = await files.get(
    key,
    range ? { range, onlyIf: { etagMatches: file.etag } } : { onlyIf: { etagMatches: file.etag } },
  );
  if (!object || !("body" in object)) throw new GoneError("The file is no longer stored.");
  if (range) {
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
    headers.set("Content-Length", String(range.length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(file.size));
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
