import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env";
import { notFound, onError } from "./middleware/errors";
import { requestContext } from "./middleware/context";
import { eventsApi } from "./routes/api/events";
import { healthApi } from "./routes/api/health";
import { homePages } from "./routes/dashboard/home";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.use(requestContext);
  app.onError(onError);
  app.notFound(notFound);

  app.route("/", homePages);
  app.route("/healthz", healthApi);
  app.route("/v1/events", eventsApi);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A project API key: `tb_…`, with the ingest, read or admin scope.",
  });
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Trailbook API",
      version: "1.0.0",
      description: "Activity and audit log service. Errors are application/problem+json (RFC 9457).",
    },
    servers: [{ url: "/" }],
  });
  return app;
}
