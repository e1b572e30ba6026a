import { Hono } from "hono";
import type { AppEnv } from "./env";
import { requestContext } from "./middleware/context";
import { forgetSessionsAfterChanges } from "./middleware/session";
import { apiApp } from "./routes/api";
import { dashboardApp } from "./routes/dashboard";

/**
 * The request's id and service context for every request (and after a change, the sessions this
 * isolate keeps forgotten), then two faces, each with its own error handler and not-found answer:
 * the API (problem+json) and the dashboard (HTML), which takes every path the API does not.
 */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(requestContext);
  app.use(forgetSessionsAfterChanges);
  // Only a failure of the lines above reaches this: the faces answer their own errors.
  app.onError((error, c) => {
    console.error(`[${c.get("requestId")}] unhandled error`, error);
    return c.text("Internal error", 500);
  });
  app.route("/", apiApp());
  app.route("/", dashboardApp());
  return app;
}
