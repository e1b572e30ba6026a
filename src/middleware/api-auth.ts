import { createMiddleware } from "hono/factory";
import type { ApiKeyScope } from "../db/schema";
import type { AppEnv } from "../env";
import { ForbiddenError, RateLimitedError, UnauthorizedError } from "../lib/errors";
import { authenticateApiKey, touchApiKey } from "../services/keys/authenticate";

/** Authenticates `Authorization: Bearer tb_…`, then applies the key's rate limit. */
export const apiKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthorizedError();
  const auth = await authenticateApiKey(c.var.db, match[1]);
  if (!auth) throw new UnauthorizedError("The API key is not valid or has been revoked.");
  const { success } = await c.env.API_RATE_LIMITER.limit({ key: auth.key.id });
  if (!success) throw new RateLimitedError(c.var.config.RATE_LIMIT_PERIOD_SECONDS);
  c.set("auth", auth);
  c.executionCtx.waitUntil(touchApiKey(c.var.db, auth.key));
  await next();
});

/** `admin` keys may do everything; `ingest` and `read` only what their name says. */
export function requireScope(scope: ApiKeyScope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const have = c.var.auth.key.scope;
    if (have !== scope && have !== "admin") {
      throw new ForbiddenError(`This API key has the "${have}" scope; this request needs "${scope}" or "admin".`);
    }
    await next();
  });
}
