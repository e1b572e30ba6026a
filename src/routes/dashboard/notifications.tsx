import { Hono, type Context } from "hono";
import type { ProjectEnv } from "../../env";
import { archiveNotifications, listNotifications, unreadCount } from "../../services/notifications/notify";
import { Notifications } from "../../../views/pages/Notifications";
import { frame } from "./frame";

type C = Context<ProjectEnv>;

async function render(c: C, archived: boolean) {
  const rows = await listNotifications(c.var.db, c.var.project.id, c.var.user.id, archived);
  c.set("unread", await unreadCount(c.var.db, c.var.project.id, c.var.user.id));
  const list = rows.map((n) => ({ id: n.id, type: n.type, title: n.title, body: n.body, link: n.link, createdAt: new Date(n.createdAt).toISOString() }));
  return c.html(<Notifications {...frame(c, "/notifications")} notifications={list} archived={archived} />);
}

/** Each member's notifications in this project; archiving is per member. */
export const notificationPages = new Hono<ProjectEnv>()
  .get("/notifications", (c) => render(c, c.req.query("archived") === "1"))
  .post("/notifications/archive", async (c) => {
    await archiveNotifications(c.var.db, c.var.project.id, c.var.user.id);
    return render(c, false);
  })
  .post("/notifications/:notificationId/archive", async (c) => {
    await archiveNotifications(c.var.db, c.var.project.id, c.var.user.id, c.req.param("notificationId"));
    return render(c, false);
  });
