import { type Context, Hono } from "hono";
import { Notifications } from "../../../views/pages/Notifications";
import type { ProjectEnv } from "../../env";
import { archiveNotifications, listNotifications, unreadCount } from "../../services/notifications/notify";
import { setSubscriptions, subscriptionsOf } from "../../services/notifications/subscriptions";
import { NOTIFICATION_TYPES, notificationTypesFor } from "../../services/notifications/types";
import { redirectWithFlash, takeFlash } from "./flash";
import { renderPage } from "./frame";

type C = Context<ProjectEnv>;

/** The newest notifications; older ones are archived with "Archive all" or read through the API. */
const LIST_ROWS = 100;

async function render(c: C, archived: boolean) {
  const saved = Boolean((await takeFlash(c)).success);
  const { ctx } = c.var;
  const { data: rows } = await listNotifications(ctx, { archived, page: { limit: LIST_ROWS } });
  c.set("unread", await unreadCount(ctx));
  const list = rows.map((n) => ({
    id: n.id,
    type: n.type,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: new Date(n.createdAt).toISOString(),
  }));
  const mine = new Set(await subscriptionsOf(ctx));
  const subscriptions = notificationTypesFor(c.var.access).map((type) => ({
    type,
    label: NOTIFICATION_TYPES[type],
    checked: mine.has(type),
  }));
  return renderPage(c, Notifications, { notifications: list, archived, subscriptions, saved });
}

const listPath = (c: C) => `/p/${c.var.project.id}/notifications`;

/** Each member's notifications in this project; archiving is per member. */
export const notificationPages = new Hono<ProjectEnv>()
  .get("/notifications", (c) => render(c, c.req.query("archived") === "1"))
  .post("/notifications/subscriptions", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const allowed = new Set<string>(notificationTypesFor(c.var.access));
    const chosen = ([] as unknown[])
      .concat(form.type ?? [])
      .filter((t): t is string => typeof t === "string" && allowed.has(t));
    await setSubscriptions(c.var.ctx, [...new Set(chosen)]);
    return redirectWithFlash(c, listPath(c), { success: "Saved." });
  })
  .post("/notifications/archive", async (c) => {
    await archiveNotifications(c.var.ctx);
    return c.redirect(listPath(c), 303);
  })
  .post("/notifications/:notificationId/archive", async (c) => {
    await archiveNotifications(c.var.ctx, c.req.param("notificationId"));
    return c.redirect(listPath(c), 303);
  });
