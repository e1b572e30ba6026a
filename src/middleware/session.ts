import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { User } from "../db/schema";
import type { AppEnv, ProjectEnv, SignedInEnv } from "../env";
import { ForbiddenError, NotFoundError } from "../lib/errors";
import { can, type Permission, roleName } from "../lib/permissions";
import { ABSOLUTE_TIMEOUT_MS, findSession, TOTP_STEP_TIMEOUT_MS, touchSession } from "../services/auth/sessions";
import { inProject, withActor } from "../services/context";
import { findSessionMembership } from "../services/members/membership";

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

/** Where a request without a live session goes: /login, back here after (htmx: as a whole page). */
function toSignIn(c: Context, token: string | undefined) {
  if (token) clearSessionCookie(c, SESSION_COOKIE);
  const url = new URL(c.req.url);
  const target =
    c.req.method === "GET" && url.pathname !== "/"
      ? `/login?next=${encodeURIComponent(url.pathname + url.search)}`
      : "/login";
  if (c.req.header("HX-Request")) return c.body(null, 200, { "HX-Redirect": target });
  return c.redirect(target, 303);
}

/** An account made with a one-time password must choose its own before anything else. */
function toPasswordChange(c: Context, user: User) {
  if (!user.mustChangePassword || new URL(c.req.url).pathname.startsWith("/account")) return undefined;
  if (c.req.header("HX-Request")) return c.body(null, 200, { "HX-Redirect": "/account" });
  return c.redirect("/account", 303);
}

/**
 * Signed-in users only: others go to /login (htmx requests are told to go there as a whole page).
 * The request's context then acts as the user.
 */
export const requireSignIn = createMiddleware<AppEnv & SignedInEnv>(async (c, next) => {
  const ctx = c.var.ctx;
  const token = getCookie(c, SESSION_COOKIE);
  const found = token ? await findSession(ctx, token, "active") : undefined;
  if (!found) return toSignIn(c, token);
  c.set("ctx", withActor(ctx, { kind: "user", user: found.user }));
  c.set("user", found.user);
  c.set("session", found.session);
  const away = toPasswordChange(c, found.user);
  if (away) return away;
  ctx.waitUntil(touchSession(ctx, found.session));
  await next();
});

/**
 * `/p/:projectId/*`: a signed-in member of the project (requireSignIn's rules); a project they do
 * not belong to does not exist for them. The session and the membership are read in one round
 * trip, so a project page makes its own reads second. The request's context then acts as that
 * member, in that project.
 */
export const requireMembership = createMiddleware<AppEnv & ProjectEnv>(async (c, next) => {
  const ctx = c.var.ctx;
  const token = getCookie(c, SESSION_COOKIE);
  const found = token ? await findSessionMembership(ctx, token, c.req.param("projectId") ?? "") : undefined;
  if (!found) return toSignIn(c, token);
  const { user, session, membership } = found;
  c.set("user", user);
  c.set("session", session);
  const away = toPasswordChange(c, user);
  if (away) return away;
  ctx.waitUntil(touchSession(ctx, session));
  if (!membership) throw new NotFoundError("There is no such project, or you are not a member of it.");
  const { project, placement, access, unread, mine } = membership;
  const actor = { kind: "member" as const, user, access };
  c.set("ctx", withActor(inProject(withActor(ctx, { kind: "user", user }), project, placement), actor));
  c.set("project", project);
  c.set("access", access);
  c.set("unread", unread);
  c.set("myProjects", mine);
  await next();
});

export function requirePermission(permission: Permission) {
  return createMiddleware<ProjectEnv>(async (c, next) => {
    if (!can(c.var.access, permission)) {
      throw new ForbiddenError(
        `Your role (${roleName(c.var.access)}) does not allow this. Ask an owner or admin of ${c.var.project.name}.`,
      );
    }
    await next();
  });
}
