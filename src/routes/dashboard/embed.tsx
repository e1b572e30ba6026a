import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv, EmbedView, ProjectEnv } from "../../env";
import { NotFoundError, UnauthorizedError } from "../../lib/errors";
import { DASHBOARD_CSP, sameOriginOnly } from "../../middleware/dashboard-security";
import { inProject, withActor } from "../../services/context";
import { findViewerSession, type OpenViewer, redeemViewerToken, viewerAccess } from "../../services/embed/viewer";
import { backgroundPages } from "./background";
import { EMBED_FRAME_JS, embedThemeCss, VIEWER_ELEMENT_JS } from "./embed-assets";
import { explorerPages } from "./explorer";

// The embeddable viewer (README "Embeddable viewer"): the explorer and its exports, run as a viewer
// session scoped to one organisation, in a frame without the dashboard's navigation. Everything
// lives under /embed/s/<session id>/, the path its cookie is scoped to.

const COOKIE = "tb_viewer";
const sessionPath = (id: string) => `/embed/s/${id}`;

const baseHeaders = secureHeaders({
  contentSecurityPolicy: DASHBOARD_CSP,
  // frame-ancestors decides; X-Frame-Options cannot name other origins.
  xFrameOptions: false,
  referrerPolicy: "same-origin",
  crossOriginEmbedderPolicy: false,
});

/**
 * The dashboard's headers, except who may frame the page: the project's allowed origins (none
 * until configured, so nothing can frame it) instead of always `'none'`. Decided after the
 * answer, once the session (and so the project) is known; an error before that stays unframeable.
 */
const embedHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await baseHeaders(c, next);
  const ancestors = (c.var as { embed?: EmbedView }).embed?.origins.join(" ") || "'none'";
  const csp = c.res.headers.get("Content-Security-Policy");
  c.res.headers.set("Content-Security-Policy", `${csp ? `${csp}; ` : ""}frame-ancestors ${ancestors}`);
});

/** The cookie works inside another site's iframe: SameSite=None, and Partitioned (CHIPS) so it is that site's alone. */
function setViewerCookie(c: Context, viewer: OpenViewer, value: string) {
  const maxAge = Math.max(1, Math.floor(((viewer.session.sessionExpiresAt ?? 0) - Date.now()) / 1000));
  setCookie(c, COOKIE, value, {
    path: sessionPath(viewer.session.id),
    secure: true,
    httpOnly: true,
    sameSite: "None",
    partitioned: true,
    maxAge,
  });
}

function embedView(viewer: OpenViewer): EmbedView {
  const { theme, session } = viewer;
  const base = sessionPath(session.id);
  const className = ["embed", `theme-${theme.mode ?? "light"}`, `density-${theme.density ?? "comfortable"}`].join(" ");
  return {
    base,
    stylesheet: `${base}/theme.css`,
    script: "/embed/frame.js",
    className,
    columns: theme.columns ?? [],
    accent: theme.accent,
    origins: viewer.settings.allowedOrigins,
  };
}

/** The request acts as the viewer session of the path, if the cookie is that session's. */
const requireViewer = createMiddleware<ProjectEnv>(async (c, next) => {
  const id = c.req.param("sessionId") ?? "";
  const cookie = getCookie(c, COOKIE);
  const viewer = cookie ? await findViewerSession(c.var.ctx, id, cookie) : undefined;
  if (!viewer) {
    if (cookie) deleteCookie(c, COOKIE, { path: sessionPath(id), secure: true, sameSite: "None", partitioned: true });
    throw new UnauthorizedError(
      "This viewer session has ended or was revoked. Reload the page that shows it to open a new one.",
    );
  }
  const access = viewerAccess(viewer.session);
  const ctx = withActor(inProject(c.var.ctx, viewer.project, viewer.placement), {
    kind: "viewer",
    session: viewer.session,
    access,
  });
  // The explorer's routes are typed for members; a viewer session fills the same variables.
  c.set("ctx", ctx as unknown as ProjectEnv["Variables"]["ctx"]);
  c.set("project", viewer.project);
  c.set("access", access);
  c.set("unread", 0);
  c.set("embed", embedView(viewer));
  await next();
});

const sessionPages = new Hono<ProjectEnv>()
  .use(requireViewer, sameOriginOnly)
  .get("/theme.css", (c) =>
    c.body(embedThemeCss(c.var.embed?.accent), 200, {
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": "private, max-age=300",
    }),
  )
  .get("/", (c) => c.redirect(`${c.var.embed?.base ?? ""}/events`, 303))
  .route("/", backgroundPages)
  .route("/", explorerPages);

type StartEnv = { Bindings: Env; Variables: AppEnv["Variables"] & { embed?: EmbedView | undefined } };

export const embedPages = new Hono<AppEnv>()
  // One tag for the vendor's page; loaded from any site, so none of the dashboard's headers.
  .get("/viewer.js", (c) =>
    c.body(VIEWER_ELEMENT_JS, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=300",
      "Cross-Origin-Resource-Policy": "cross-origin",
      "X-Content-Type-Options": "nosniff",
    }),
  )
  .get("/frame.js", (c) =>
    c.body(EMBED_FRAME_JS, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
    }),
  )
  .use("/t/*", embedHeaders)
  .use("/s/*", embedHeaders)
  // A GET, so the link works as an iframe's src; the token is spent on the first use.
  .get("/t/:token", async (c: Context<StartEnv>) => {
    const opened = await redeemViewerToken(c.var.ctx, c.req.param("token") ?? "");
    // Unknown, spent, expired or revoked alike; no project is known, so nothing may frame this answer.
    if (!opened)
      throw new NotFoundError(
        "This viewer link has expired or was already used. Reload the page that shows it to get a new one.",
      );
    c.set("embed", embedView(opened.viewer));
    setViewerCookie(c, opened.viewer, opened.cookie);
    return c.redirect(`${sessionPath(opened.viewer.session.id)}/events`, 303);
  })
  .route("/s/:sessionId", sessionPages as unknown as Hono<AppEnv>);
