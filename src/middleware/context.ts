import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { newId } from "../lib/ids";
import { createContext, type Origin } from "../services/context";

/** Where a request came from, for Trailbook's own events. */
export function originOf(c: Context): Origin {
  return {
    ip: c.req.header("CF-Connecting-IP") ?? undefined,
    userAgent: c.req.header("User-Agent") ?? undefined,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
  };
}

/**
 * The request id (echoed as X-Request-ID, carried in problem+json) and the request's service
 * context, built once: nobody acts yet; key and sign-in checks put their actor in later.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newId("req");
  c.set("requestId", requestId);
  c.set(
    "ctx",
    createContext(c.env, {
      actor: { kind: "anonymous" },
      origin: originOf(c),
      waitUntil: (work) => c.executionCtx.waitUntil(work),
    }),
  );
  c.header("X-Request-ID", requestId);
  await next();
});
