import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { type AppEnv, readConfig } from "../env";
import { newId } from "../lib/ids";

/** Request id (echoed as X-Request-ID, carried in problem+json) and per-request services. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newId("req");
  c.set("requestId", requestId);
  c.set("config", readConfig(c.env));
  c.set("db", createDb(c.env.DB));
  c.header("X-Request-ID", requestId);
  await next();
});
