import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { TASK_STATUSES, TASK_TYPES } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { getTask, listTasks, taskView } from "../../services/tasks/view";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  json,
  listQueryProblem,
  notFoundProblem,
  PageParams,
  pageOf,
} from "./openapi";

export const TaskView = z
  .object({
    id: z.string(),
    type: z.enum(TASK_TYPES),
    status: z.enum(TASK_STATUSES),
    processed: z.int(),
    total: z.int().nullable(),
    success_count: z.int(),
    failure_count: z.int(),
    errors: z.array(z.object({ line: z.int().optional(), message: z.string() })),
    result: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: "Task" });

const tags = ["Tasks"];

export const tasksApi = apiRouter();
tasksApi.use(apiKeyAuth);

tasksApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Background tasks, newest first",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: {
        query: PageParams.extend({
          type: z.enum(TASK_TYPES).optional(),
          status: z.enum(TASK_STATUSES).optional(),
        }).strict(),
      },
      responses: {
        200: json(pageOf(TaskView), "A page of tasks."),
        ...authProblems,
        ...listQueryProblem,
      },
    }),
    async (c) => {
      const { limit, cursor, ...filters } = c.req.valid("query");
      const page = await listTasks(c.var.ctx, filters, { limit, cursor });
      return c.json({ data: page.data.map(taskView), next_cursor: page.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One task",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: { 200: json(TaskView, "The task."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const task = await getTask(c.var.ctx, c.req.valid("param").id);
      if (!task) throw new NotFoundError("No task with this id in this project.");
      return c.json(taskView(task), 200);
    },
  );
