import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Session, User } from "../db/schema";
import type { AppEnv, ProjectEnv, SignedInEnv } from "../env";
import { ForbiddenError, NotFoundError } from "../lib/errors";
import { can, type Permission, roleName } from "../lib/permissions";
import { ABSOLUTE_TIMEOUT_MS, findSession, TOTP_STEP_TIMEOUT_MS, touchSession } from "../services/auth/sessions";
import { inProject, withActor } from "../services/context";
import { findSessionMembership } from "../services/members/membership";
import { forgetSessions } from "../services/session-cache";

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

/**
 * A live session found: the request knows its user and keeps the session alive after the answer.
 * An account made with a one-time password must choose its own before anything else: the
 * redirect to /account is returned then.
 */
function enterSession<E extends SignedInEnv>(c: Context<E>, { user, session }: { user: User; session: Session }) {
  c.set("user", user);
  c.set("session", session);
  if (user.mustChangePassword && !new URL(c.req.url).pathname.startsWith("/account")) {
    if (c.req.header("HX-Request")) return c.body(null, 200, { "HX-Redirect": "/account" });
    return c.redirect("/account", 303);
  }
  c.var.ctx.waitUntil(touchSession(c.var.ctx, session));
  return undefined;
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
  const away = enterSession(c, found);
  if (away) return away;
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
  const away = enterSession(c, found);
  if (away) return away;
  const { user, membership } = found;
  if (!membership) throw new NotFoundError("There is no such project, or you are not a member of it.");
  const { project, placement, access, unread, mine } = membership;
  c.set("ctx", withActor(inProject(ctx, project, placement), { kind: "member", user, access }));
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

/** Event ingest, the one kind of write that changes no session, user, membership or project. */
const INGEST_PATH = /^\/(?:v1\/events(?:\/batch)?|audit_logs\/events|publisher\/v1\/project\/[^/]+\/event(?:\/bulk)?)$/;

/**
 * The sessions' memberships this isolate keeps (src/services/session-cache.ts) are forgotten once
 * any request that may have changed one has answered: every request but reads and event ingest.
 */
export const forgetSessionsAfterChanges = createMiddleware<AppEnv>(async (c, next) => {
  const { method } = c.req;
  if (
    method === "GET" ||
    method === "HEAD" ||
    method === "OPTIONS" ||
    (method === "POST" && INGEST_PATH.test(c.req.path))
  )
    return next();
  try {
    await next();
  } finally {
    forgetSessions();
  }
});
