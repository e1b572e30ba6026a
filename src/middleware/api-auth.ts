import { createMiddleware } from "hono/factory";
import type { ApiKeyScope } from "../db/schema";
import type { AppEnv, KeyEnv } from "../env";
import { ForbiddenError, RateLimitedError, UnauthorizedError } from "../lib/errors";
import { inProject, withActor } from "../services/context";
import { authenticateApiKey, touchApiKey } from "../services/keys/authenticate";

/** The key in `Authorization: Bearer tb_…`. */
export function bearerKey(header: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/**
 * Authenticates the API key `extract` finds in the Authorization header, then applies its rate
 * limit; the request's context then acts as that key, in its project.
 */
export function keyAuth(extract: (authorization: string) => string | undefined) {
  return createMiddleware<AppEnv & KeyEnv>(async (c, next) => {
    const presented = extract(c.req.header("Authorization") ?? "");
    if (!presented) throw new UnauthorizedError();
    const ctx = c.var.ctx;
    const auth = await authenticateApiKey(ctx, presented);
    if (!auth) throw new UnauthorizedError("The API key is not valid or has been revoked.");
    const { success } = await c.env.API_RATE_LIMITER.limit({ key: auth.key.id });
    if (!success) throw new RateLimitedError(ctx.config.RATE_LIMIT_PERIOD_SECONDS);
    const inItsProject = { ...inProject(ctx, auth.project, auth.placement), webhookEndpoints: auth.endpoints };
    c.set("ctx", withActor(inItsProject, { kind: "key", key: auth.key }));
    ctx.waitUntil(touchApiKey(ctx, auth.key));
    await next();
  });
}

export const apiKeyAuth = keyAuth(bearerKey);

/** `admin` keys may do everything; `ingest` and `read` only what their name says. */
export function requireScope(scope: ApiKeyScope) {
  return createMiddleware<KeyEnv>(async (c, next) => {
    const have = c.var.ctx.actor.key.scope;
    if (have !== scope && have !== "admin") {
      throw new ForbiddenError(`This API key has the "${have}" scope; this request needs "${scope}" or "admin".`);
    }
    await next();
  });
}
