import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { NotFoundError } from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { archiveNotifications, listNotifications } from "../../services/notifications/notify";
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

// Through the API a key sees the project's notifications meant for everyone (a read key reads every
// event, so none of them tells it more); archiving is kept per key, as it is per member in the dashboard.

const Notification = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string(),
    body: z.string().nullable(),
    link: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: "Notification" });

export const notificationsApi = apiRouter();
notificationsApi.use(apiKeyAuth);

notificationsApi
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Notifications"],
      summary: "Notifications, newest first",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: {
        query: PageParams.extend({
          archived: z.enum(["true", "false"]).optional().describe("`true`: the ones this key archived."),
        }).strict(),
      },
      responses: { 200: json(pageOf(Notification), "A page of notifications."), ...authProblems, ...listQueryProblem },
    }),
    async (c) => {
      const { limit, cursor, archived } = c.req.valid("query");
      const page = await listNotifications(c.var.ctx, { archived: archived === "true", page: { limit, cursor } });
      return c.json(
        {
          data: page.data.map((n) => ({
            id: n.id,
            type: n.type,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: new Date(n.createdAt).toISOString(),
          })),
          next_cursor: page.next_cursor,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/archive",
      tags: ["Notifications"],
      summary: "Archive a notification",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: z.object({ id: z.string().max(200) }) },
      responses: { 200: json(z.object({ archived: z.boolean() }), "Archived."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      const count = await archiveNotifications(c.var.ctx, c.req.valid("param").id);
      if (count === 0) throw new NotFoundError("No unarchived notification with this id.");
      return c.json({ archived: true }, 200);
    },
  );
