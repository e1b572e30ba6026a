import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { Projects } from "../../../views/pages/Projects";
import { memberships, projects } from "../../db/schema";
import type { ProjectEnv, SignedInEnv } from "../../env";
import { requireMembership } from "../../middleware/session";
import { pendingInvitesFor } from "../../services/members/accept-invite";
import { analyticsPages } from "./analytics";
import { backgroundPages } from "./background";
import { explorerPages } from "./explorer";
import { renderPage } from "./frame";
import { integrityPages } from "./integrity";
import { notificationPages } from "./notifications";
import { settingsPages } from "./settings";
import { webhookPages } from "./webhooks";

export const projectListPages = new Hono<SignedInEnv>().get("/", async (c) => {
  const rows = await c.var.db
    .select({
      id: projects.id,
      name: projects.name,
      role: memberships.role,
      organizationId: memberships.organizationId,
    })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, c.var.user.id))
    .orderBy(projects.name);
  return renderPage(c, Projects, {
    projects: rows,
    invitations: await pendingInvitesFor(c.var.db, c.var.user),
    notice: c.req.query("declined") ? "Invitation declined." : undefined,
  });
});

export const projectPages = new Hono<ProjectEnv>()
  .use(requireMembership)
  .route("/", webhookPages)
  .route("/settings", settingsPages)
  .route("/", backgroundPages)
  .route("/", notificationPages)
  .route("/", integrityPages)
  .route("/", analyticsPages)
  .get("/", (c) => c.redirect(`/p/${c.var.project.id}/events`, 303))
  .route("/", explorerPages);
