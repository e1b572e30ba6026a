import { createMiddleware } from "hono/factory";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";
import { ForbiddenError } from "../lib/errors";

/**
 * The dashboard's Content-Security-Policy: its only scripts are ours, by nonce (htmx and nothing
 * inline). Who may frame a page is decided per face: nobody for the dashboard, the project's
 * allowed origins for the embedded viewer (routes/dashboard/embed.tsx).
 */
export const DASHBOARD_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: [NONCE, "'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

/** Strict headers, the dashboard's CSP, and no framing at all. */
export const dashboardHeaders = secureHeaders({
  contentSecurityPolicy: { ...DASHBOARD_CSP, frameAncestors: ["'none'"] },
  referrerPolicy: "same-origin",
  crossOriginEmbedderPolicy: false,
});

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a state-changing dashboard request must come from our own pages — its Origin is ours, or,
 * when a browser sends no Origin, Sec-Fetch-Site says same-origin. The session cookie is also
 * SameSite=Lax; this check covers every content type, not only form posts.
 */
export const sameOriginOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const origin = c.req.header("Origin");
  const own = new URL(c.req.url).origin;
  const allowed = origin ? origin === own : c.req.header("Sec-Fetch-Site") === "same-origin";
  if (!allowed) {
    throw new ForbiddenError(
      "This form was sent from another site (or without an Origin header), so it was refused. Reload the page and try again.",
    );
  }
  await next();
});
