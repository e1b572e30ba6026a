import type { Context } from "hono";
import type { Origin } from "../../services/audit/log-own";

/** Where a dashboard request came from, for Trailbook's own events. */
export function originOf(c: Context): Origin {
  return {
    ip: c.req.header("CF-Connecting-IP") ?? undefined,
    userAgent: c.req.header("User-Agent") ?? undefined,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
  };
}

/** A same-site path to go to after sign-in; anything else (other hosts, `//x`) becomes `/`. */
export function safeNext(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && value.length < 2000 ? value : "/";
}
