import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { memberships, projects } from "../db/schema";
import type { ProjectEnv, SignedInEnv } from "../env";
import { ForbiddenError, NotFoundError } from "../lib/errors";
import { can, type Permission } from "../lib/permissions";
import { ABSOLUTE_TIMEOUT_MS, findSession, TOTP_STEP_TIMEOUT_MS, touchSession } from "../services/auth/sessions";
import { unreadCountQuery } from "../services/notifications/notify";

// `__Host-` cookies are Secure, host-only and path=/; browsers accept Secure cookies on localhost.
export const SESSION_COOKIE = "__Host-tb_session";
export const PENDING_COOKIE = "__Host-tb_pending";

const base = { path: "/", secure: true, httpOnly: true, sameSite: "Lax" } as const;

export function setSessionCookie(c: Context, name: typeof SESSION_COOKIE | typeof PENDING_COOKIE, token: string) {
  const maxAge = (name === SESSION_COOKIE ? ABSOLUTE_TIMEOUT_MS : TOTP_STEP_TIMEOUT_MS) / 1000;
  setCookie(c, name, token, { ...base, maxAge });
}

export function clearSessionCookie(c: Context, name: typeof SESSION_COOKIE | typeof PENDING_COOKIE) {
  deleteCookie(c, name, base);
}

/** Signed-in users only: others go to /login (htmx requests are told to go there as a whole page). */
export const requireSignIn = createMiddleware<SignedInEnv>(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const found = token ? await findSession(c.var.db, token, "active") : undefined;
  if (!found) {
    if (token) clearSessionCookie(c, SESSION_COOKIE);
    const url = new URL(c.req.url);
    const target =
      c.req.method === "GET" && url.pathname !== "/"
        ? `/login?next=${encodeURIComponent(url.pathname + url.search)}`
        : "/login";
    if (c.req.header("HX-Request")) return c.body(null, 200, { "HX-Redirect": target });
    return c.redirect(target, 303);
  }
  c.set("user", found.user);
  c.set("session", found.session);
  // An account made with a one-time password must choose its own before anything else.
  const path = new URL(c.req.url).pathname;
  if (found.user.mustChangePassword && !path.startsWith("/account")) {
    if (c.req.header("HX-Request")) return c.body(null, 200, { "HX-Redirect": "/account" });
    return c.redirect("/account", 303);
  }
  c.executionCtx.waitUntil(touchSession(c.var.db, found.session));
  await next();
});

/** `/p/:projectId/*`: the member's access; a project they do not belong to does not exist for them. */
export const requireMembership = createMiddleware<ProjectEnv>(async (c, next) => {
  const projectId = c.req.param("projectId") ?? "";
  const { db, user } = c.var;
  // One round trip for both: every project page waits on this before its own reads. The count only
  // depends on the URL's project and the user, and is dropped unless the membership is there.
  const [[row], [unread]] = await db.batch([
    db
      .select({ project: projects, membership: memberships })
      .from(memberships)
      .innerJoin(projects, eq(projects.id, memberships.projectId))
      .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, user.id)))
      .limit(1),
    unreadCountQuery(db, projectId, user.id),
  ]);
  if (!row) throw new NotFoundError("There is no such project, or you are not a member of it.");
  c.set("project", row.project);
  c.set("access", {
    role: row.membership.role,
    organizationId: row.membership.role === "viewer" ? row.membership.organizationId : null,
  });
  c.set("unread", unread?.n ?? 0);
  await next();
});

export function requirePermission(permission: Permission) {
  return createMiddleware<ProjectEnv>(async (c, next) => {
    if (!can(c.var.access.role, permission)) {
      throw new ForbiddenError(
        `Your role (${c.var.access.role}) does not allow this. Ask an owner or admin of ${c.var.project.name}.`,
      );
    }
    await next();
  });
}
