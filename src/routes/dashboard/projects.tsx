import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { Projects } from "../../../views/pages/Projects";
import type { ProjectEnv, SignedInEnv } from "../../env";
import { requireMembership } from "../../middleware/session";
import { pendingInvitesFor } from "../../services/members/accept-invite";
import { listMyProjects } from "../../services/members/membership";
import { alertPages } from "./alerts";
import { analyticsPages } from "./analytics";
import { backgroundPages } from "./background";
import { embeddingPages } from "./embedding";
import { explorerPages } from "./explorer";
import { renderPage } from "./frame";
import { integrityPages } from "./integrity";
import { notificationPages } from "./notifications";
import { rolePages } from "./roles";
import { settingsPages } from "./settings";
import { streamPages } from "./streams";
import { webhookPages } from "./webhooks";

/** The project last opened in this browser: where sign-in lands. */
const LAST_PROJECT_COOKIE = "tb_project";

const rememberProject = createMiddleware<ProjectEnv>(async (c, next) => {
  await next();
  const id = c.var.project.id;
  if (c.req.method === "GET" && c.res.status === 200 && getCookie(c, LAST_PROJECT_COOKIE) !== id)
    setCookie(c, LAST_PROJECT_COOKIE, id, {
      path: "/",
      sameSite: "Lax",
      httpOnly: true,
      secure: true,
      maxAge: 90 * 86400,
    });
});

async function listPage(c: Context<SignedInEnv>) {
  return renderPage(c, Projects, {
    projects: await listMyProjects(c.var.ctx),
    invitations: await pendingInvitesFor(c.var.ctx),
    notice: c.req.query("declined") ? "Invitation declined." : undefined,
    operator: c.var.user.operator,
  });
}

export const projectListPages = new Hono<SignedInEnv>()
  // Sign-in lands here: straight into the last project used, or the only one, unless an
  // invitation waits for an answer. The cookie only names a project; membership is checked again.
  .get("/", async (c) => {
    const mine = await listMyProjects(c.var.ctx);
    const last = getCookie(c, LAST_PROJECT_COOKIE);
    const target = mine.find((p) => p.id === last) ?? (mine.length === 1 ? mine[0] : undefined);
    if (target && !c.req.query("declined") && (await pendingInvitesFor(c.var.ctx)).length === 0)
      return c.redirect(`/p/${target.id}/events`, 303);
    return listPage(c);
  })
  .get("/projects", listPage);

export const projectPages = new Hono<ProjectEnv>()
  .use(requireMembership)
  .use(rememberProject)
  .route("/", webhookPages)
  .route("/", streamPages)
  .route("/settings/roles", rolePages)
  .route("/settings/alerts", alertPages)
  .route("/settings/embedding", embeddingPages)
  .route("/settings", settingsPages)
  .route("/", backgroundPages)
  .route("/", notificationPages)
  .route("/", integrityPages)
  .route("/", analyticsPages)
  .get("/", (c) => c.redirect(`/p/${c.var.project.id}/events`, 303))
  .route("/", explorerPages);
