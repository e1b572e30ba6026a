import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { sha256Hex, timingSafeEqual } from "../lib/crypto";
import { NotFoundError, UnauthorizedError } from "../lib/errors";
import { withActor } from "../services/context";
import { bearerKey } from "./api-auth";

/**
 * The operators' API: `Authorization: Bearer <OPERATOR_TOKEN>`. Without the secret the API does not
 * exist on this deployment (404); the presented token is compared by hash, in constant time.
 */
export const operatorAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.var.ctx.config.OPERATOR_TOKEN;
  if (!token) throw new NotFoundError("This deployment has no operators' API: set the OPERATOR_TOKEN secret.");
  const presented = bearerKey(c.req.header("Authorization") ?? "");
  if (!presented || !timingSafeEqual(await sha256Hex(presented), await sha256Hex(token))) {
    throw new UnauthorizedError("The operators' API needs `Authorization: Bearer <OPERATOR_TOKEN>`.");
  }
  c.set("ctx", withActor(c.var.ctx, { kind: "system", name: "operator" }));
  await next();
});
