import { Hono } from "hono";
import { Projects } from "../../../views/pages/Projects";
import type { ProjectEnv, SignedInEnv } from "../../env";
import { requireMembership } from "../../middleware/session";
import { pendingInvitesFor } from "../../services/members/accept-invite";
import { listMyProjects } from "../../services/members/membership";
import { alertPages } from "./alerts";
import { analyticsPages } from "./analytics";
import { backgroundPages } from "./background";
import { explorerPages } from "./explorer";
import { renderPage } from "./frame";
import { integrityPages } from "./integrity";
import { notificationPages } from "./notifications";
import { rolePages } from "./roles";
import { settingsPages } from "./settings";
import { streamPages } from "./streams";
import { webhookPages } from "./webhooks";

export const projectListPages = new Hono<SignedInEnv>().get("/", async (c) => {
  const rows = await listMyProjects(c.var.ctx);
  return renderPage(c, Projects, {
    projects: rows,
    invitations: await pendingInvitesFor(c.var.ctx),
    notice: c.req.query("declined") ? "Invitation declined." : undefined,
    operator: c.var.user.operator,
  });
});

export const projectPages = new Hono<ProjectEnv>()
  .use(requireMembership)
  .route("/", webhookPages)
  .route("/", streamPages)
  .route("/settings/roles", rolePages)
  .route("/settings/alerts", alertPages)
  .route("/settings", settingsPages)
  .route("/", backgroundPages)
  .route("/", notificationPages)
  .route("/", integrityPages)
  .route("/", analyticsPages)
  .get("/", (c) => c.redirect(`/p/${c.var.project.id}/events`, 303))
  .route("/", explorerPages);
