import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { projectNav } from "../../../views/components/nav";
import { timeChips } from "../../../views/components/time";
import { type Frame, Layout, type ProjectFrame } from "../../../views/layouts/Layout";
import type { Page } from "../../../views/layouts/page";
import type { AppEnv, ProjectEnv, SignedInEnv } from "../../env";
import { can } from "../../lib/permissions";
import { listMyProjects } from "../../services/members/membership";
import { unreadLabel } from "../../services/notifications/notify";
import { timeModeOf, withTimeMode } from "./time-display";

/** How this page shows times, in `zone`, and the links that switch the display on this very page. */
function timeFrame(c: Context, zone: string) {
  const mode = timeModeOf(c);
  return { mode, zone, chips: timeChips(zone, mode, (m) => withTimeMode(c.req.url, m)) };
}

/** Where this request's project pages are: the member's `/p/<id>`, or the embedded viewer's session path. */
export function projectBase(c: Context<ProjectEnv>): string {
  return c.var.embed?.base ?? `/p/${c.var.project.id}`;
}

/** The frame every project page shares: the user, the project and the navigation their role allows. */
async function projectFrame(c: Context<ProjectEnv>, current: string): Promise<ProjectFrame> {
  const { project, access, embed } = c.var;
  // An embedded viewer has no account and no way out of its organisation's events.
  if (embed)
    return {
      nonce: c.get("secureHeadersNonce"),
      user: { name: "", email: "" },
      project,
      nav: [],
      time: timeFrame(c, project.timezone),
      base: embed.base,
      embed,
    };
  const nav = projectNav(
    project.id,
    {
      events: true,
      settings: can(access, "settings.read"),
      exports: can(access, "events.export"),
      tasks: can(access, "tasks.read"),
      imports: can(access, "events.import"),
      webhooks: can(access, "webhooks.read"),
      manageWebhooks: can(access, "webhooks.manage"),
      manageStreams: can(access, "streams.manage"),
      integrity: can(access, "integrity.read"),
      analytics: can(access, "analytics.read"),
      security: can(access, "events.read_configuration"),
      unread: unreadLabel(c.var.unread),
    },
    current,
  );
  const mine = c.var.myProjects ?? (await listMyProjects(c.var.ctx));
  return {
    nonce: c.get("secureHeadersNonce"),
    user: c.var.user,
    project,
    nav: nav.items,
    tabs: nav.tabs,
    notifications: nav.notifications,
    projects: mine.map((p) => ({ id: p.id, name: p.name })),
    time: timeFrame(c, project.timezone),
    operator: c.var.user.operator,
    base: projectBase(c),
  };
}

/**
 * Answers with a page in the frame of this request: a project page in its project's navigation,
 * any other page with the signed-in user (pages before sign-in, with none).
 */
export function renderPage<P>(
  c: Context<ProjectEnv>,
  page: Page<P, ProjectFrame>,
  props: P,
  status?: ContentfulStatusCode,
): Promise<Response>;
export function renderPage<P>(
  c: Context<SignedInEnv> | Context<AppEnv> | Context,
  page: Page<P>,
  props: P,
  status?: ContentfulStatusCode,
): Promise<Response>;
export async function renderPage<P>(
  c: Context,
  page: Page<P, ProjectFrame>,
  props: P,
  status?: ContentfulStatusCode,
): Promise<Response> {
  const vars = c.var as Partial<ProjectEnv["Variables"]>;
  const frame: Frame = vars.project
    ? await projectFrame(c as Context<ProjectEnv>, page.section ?? "")
    : {
        nonce: vars.secureHeadersNonce,
        user: vars.user,
        // Outside a project, "project time" has no project: it is UTC.
        time: vars.user ? timeFrame(c, "UTC") : undefined,
        operator: vars.user?.operator,
      };
  const body = page.Body(props, frame as ProjectFrame);
  const title = typeof page.title === "string" ? page.title : page.title(props);
  const html = Layout({ ...frame, title, boost: page.boost, children: body });
  return c.html(html, status);
}
