import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env";
import { requestContext } from "./middleware/context";
import { dashboardHeaders, sameOriginOnly } from "./middleware/dashboard-security";
import { notFound, onError } from "./middleware/errors";
import { refuseUnstorableQuery } from "./middleware/query-text";
import { requireSignIn } from "./middleware/session";
import { eventsApi } from "./routes/api/events";
import { exportFilesApi, exportsApi } from "./routes/api/exports";
import { healthApi } from "./routes/api/health";
import { importsApi } from "./routes/api/imports";
import { integrityApi, publicKeyApi } from "./routes/api/integrity";
import { notificationsApi } from "./routes/api/notifications";
import { tasksApi } from "./routes/api/tasks";
import { sendoutsApi, webhooksApi } from "./routes/api/webhooks";
import { retracedApi } from "./routes/compat/retraced";
import { workosApi } from "./routes/compat/workos";
import { accountPages } from "./routes/dashboard/account";
import { assetRoutes } from "./routes/dashboard/assets";
import { authPages } from "./routes/dashboard/auth";
import { invitePages } from "./routes/dashboard/invite";
import { projectListPages, projectPages } from "./routes/dashboard/projects";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.use(requestContext);
  app.use(refuseUnstorableQuery);
  app.onError(onError);
  app.notFound(notFound);

  // Machine routes: bearer keys, problem+json.
  app.route("/healthz", healthApi);
  app.route("/v1/events", eventsApi);
  app.route("/v1/exports", exportsApi);
  app.route("/v1/export-files", exportFilesApi);
  // Drop-in compatible APIs (README "Compatibility").
  app.route("/audit_logs", workosApi);
  app.route("/publisher/v1", retracedApi);
  app.route("/v1/imports", importsApi);
  app.route("/v1/integrity", publicKeyApi);
  app.route("/v1/integrity", integrityApi);
  app.route("/v1/notifications", notificationsApi);
  app.route("/v1/tasks", tasksApi);
  app.route("/v1/webhooks", webhooksApi);
  app.route("/v1/webhook-sendouts", sendoutsApi);

  // Dashboard: secure headers with a CSP nonce and same-origin checks on every state change.
  app.route("/", assetRoutes);
  app.get("/favicon.ico", (c) => c.body(null, 204));
  for (const path of ["/login", "/login/*", "/logout", "/invite/*", "/account", "/account/*", "/p/*"]) {
    app.use(path, dashboardHeaders, sameOriginOnly);
  }
  app.use("/", dashboardHeaders);
  app.route("/", authPages);
  app.route("/invite", invitePages);
  app.use("/", requireSignIn);
  app.use("/account", requireSignIn);
  app.use("/account/*", requireSignIn);
  app.use("/p/*", requireSignIn);
  app.route("/", projectListPages);
  app.route("/account", accountPages);
  app.route("/p/:projectId", projectPages);

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
