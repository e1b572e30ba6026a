import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { TASK_STATUSES } from "../../db/schema";
import {
  LengthRequiredError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { IMPORT_MAX_BYTES, importFormat, requestImport } from "../../services/imports/request";
import { listTasks, taskView } from "../../services/tasks/view";
import { apiRouter, authProblems, bearerAuth, json, listQueryProblem, PageParams, pageOf, problem } from "./openapi";
import { TaskView } from "./tasks";

export const importsApi = apiRouter();
importsApi.use(apiKeyAuth);

importsApi.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Imports"],
    summary: "Imports (their tasks), newest first",
    security: bearerAuth,
    middleware: [requireScope("read")] as const,
    request: { query: PageParams.extend({ status: z.enum(TASK_STATUSES).optional() }).strict() },
    responses: { 200: json(pageOf(TaskView), "A page of import tasks."), ...authProblems, ...listQueryProblem },
  }),
  async (c) => {
    const { limit, cursor, status } = c.req.valid("query");
    const page = await listTasks(c.var.ctx, { type: "import", status }, { limit, cursor });
    return c.json({ data: page.data.map(taskView), next_cursor: page.next_cursor }, 200);
  },
);

importsApi.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Imports"],
    summary: "Import historical events from CSV or JSON Lines (up to 100 MB)",
    description: "The body is stored, then imported in the background; the task reports each invalid line.",
    security: bearerAuth,
    middleware: [requireScope("ingest")] as const,
    request: {
      body: {
        required: true,
        content: { "text/csv": { schema: z.string() }, "application/x-ndjson": { schema: z.string() } },
      },
    },
    responses: {
      202: { description: "Queued.", content: { "application/json": { schema: TaskView } } },
      411: problem("No Content-Length."),
      413: problem("Larger than 100 MB."),
      415: problem("Not text/csv or application/x-ndjson."),
      422: problem("Empty."),
      ...authProblems,
    },
  }),
  async (c) => {
    const format = importFormat(c.req.header("Content-Type"));
    if (!format) throw new UnsupportedMediaTypeError("Send the file as text/csv or application/x-ndjson.");
    const lengthHeader = c.req.header("Content-Length");
    if (lengthHeader === undefined)
      throw new LengthRequiredError("Send a Content-Length header (curl --data-binary @file does).");
    const size = Number(lengthHeader);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new LengthRequiredError("Content-Length is not a number of bytes.");
    if (size > IMPORT_MAX_BYTES)
      throw new PayloadTooLargeError("The file is larger than 100 MB; split it into several imports.");
    if (size === 0 || !c.req.raw.body)
      throw new ValidationError("The file is empty.", [{ path: "(body)", message: "empty" }]);
    const task = await requestImport(c.var.ctx, {
      format,
      body: c.req.raw.body,
      size,
      name: c.req.header("X-Filename") ?? "api upload",
    });
    return c.json(taskView(task), 202);
  },
);
