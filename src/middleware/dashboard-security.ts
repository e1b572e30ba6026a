import { createMiddleware } from "hono/factory";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env";
import { ForbiddenError } from "../lib/errors";

/** Strict headers and a CSP whose only scripts are ours, by nonce (htmx and nothing inline). */
export const dashboardHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: [NONCE, "'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
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
