import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { Projects } from "../../../views/pages/Projects";
import type { Project } from "../../db/schema";
import type { ProjectEnv, SignedInEnv } from "../../env";
import { ServiceUnavailableError } from "../../lib/errors";
import { requireMembership } from "../../middleware/session";
import { pendingInvitesFor } from "../../services/members/accept-invite";
import { listMyProjects } from "../../services/members/membership";
import { createOwnedProject, mayCreateProjects, NewProjectInput } from "../../services/projects/create-owned";
import { alertPages } from "./alerts";
import { analyticsPages } from "./analytics";
import { backgroundPages } from "./background";
import { embeddingPages } from "./embedding";
import { explorerPages } from "./explorer";
import { formValidator } from "./form";
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

type NewProjectValues = { name: string; timezone: string; region: string };

async function listPage(
  c: Context<SignedInEnv>,
  form: { error?: string; values?: NewProjectValues } = {},
  status: 200 | 422 | 503 = 200,
) {
  return renderPage(
    c,
    Projects,
    {
      projects: await listMyProjects(c.var.ctx),
      invitations: await pendingInvitesFor(c.var.ctx),
      notice: c.req.query("declined") ? "Invitation declined." : undefined,
      operator: c.var.user.operator,
      create: (await mayCreateProjects(c.var.ctx))
        ? { values: form.values ?? { name: "", timezone: "UTC", region: "default" }, error: form.error }
        : undefined,
    },
    status,
  );
}

const formValues = async (c: Context<SignedInEnv>): Promise<NewProjectValues> => {
  const form = await c.req.parseBody();
  const text = (k: string) => (typeof form[k] === "string" ? (form[k] as string) : "");
  return { name: text("name"), timezone: text("timezone"), region: text("region") };
};

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
  .get("/projects", (c) => listPage(c))
  .post(
    "/projects",
    formValidator(NewProjectInput, async (c: Context<SignedInEnv>, message) =>
      listPage(c, { error: message, values: await formValues(c) }, 422),
    ),
    async (c) => {
      let project: Project;
      try {
        project = await createOwnedProject(c.var.ctx, c.req.valid("form"));
      } catch (error) {
        // No open shard in the region: said on the form, which keeps what was typed.
        if (!(error instanceof ServiceUnavailableError)) throw error;
        return listPage(c, { error: error.message, values: await formValues(c) }, 503);
      }
      return c.redirect(`/p/${project.id}/events`, 303);
    },
  );

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
