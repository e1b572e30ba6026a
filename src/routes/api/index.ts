import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { problemNotFound, problemOnError } from "../../middleware/errors";
import { refuseUnstorableQuery } from "../../middleware/query-text";
import { retracedApi } from "../compat/retraced";
import { workosApi } from "../compat/workos";
import { adminApi } from "./admin";
import { alertRulesApi } from "./alert-rules";
import { eventsApi } from "./events";
import { exportFilesApi, exportsApi } from "./exports";
import { feedApi } from "./feed";
import { healthApi } from "./health";
import { importsApi } from "./imports";
import { integrityApi, publicDigestsApi, publicKeyApi } from "./integrity";
import { notificationsApi } from "./notifications";
import { streamsApi } from "./streams";
import { tasksApi } from "./tasks";
import { viewerSessionsApi, viewerTokensApi } from "./viewer-tokens";
import { sendoutsApi, webhooksApi } from "./webhooks";

/**
 * Where the API answers: everything under these is the API's, a route or a 404 problem, and every
 * other path is the dashboard's. The sub-app is mounted at "/", so its own middleware is limited to
 * these (unlimited, it would run before the dashboard's pages too).
 */
const ROOTS = ["/v1", "/healthz", "/audit_logs", "/publisher", "/public"];

/**
 * The machine face: bearer keys, JSON, problem+json (RFC 9457) for every error (the compatible
 * APIs answer theirs in their own shape), and the OpenAPI document of its routes.
 */
export function apiApp() {
  const api = new OpenAPIHono<AppEnv>();
  api.onError(problemOnError);
  // `/v1/*` also matches `/v1`.
  for (const root of ROOTS) api.use(`${root}/*`, refuseUnstorableQuery);

  api.route("/healthz", healthApi);
  // Before the events' own routes, where "feed" would be taken for an event id.
  api.route("/v1/events/feed", feedApi);
  api.route("/v1/events", eventsApi);
  api.route("/v1/exports", exportsApi);
  api.route("/v1/export-files", exportFilesApi);
  api.route("/v1/imports", importsApi);
  api.route("/v1/integrity", publicKeyApi);
  api.route("/v1/integrity", integrityApi);
  // Published digests and epochs: no key, read-only (README "Published roots").
  api.route("/public/digests", publicDigestsApi);
  api.route("/v1/notifications", notificationsApi);
  api.route("/v1/tasks", tasksApi);
  api.route("/v1/webhooks", webhooksApi);
  api.route("/v1/webhook-sendouts", sendoutsApi);
  api.route("/v1/streams", streamsApi);
  api.route("/v1/alert-rules", alertRulesApi);
  api.route("/v1/viewer-tokens", viewerTokensApi);
  api.route("/v1/viewer-sessions", viewerSessionsApi);
  api.route("/v1/admin", adminApi);
  // Drop-in compatible APIs (README "Compatibility").
  api.route("/audit_logs", workosApi);
  api.route("/publisher/v1", retracedApi);

  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A project API key: `tb_…`, with the ingest, read or admin scope.",
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "operatorAuth", {
    type: "http",
    scheme: "bearer",
    description: "The deployment's OPERATOR_TOKEN secret (operators' API under /v1/admin).",
  });
  api.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Trailbook API",
      version: "1.0.0",
      description: "Activity and audit log service. Errors are application/problem+json (RFC 9457).",
    },
    servers: [{ url: "/" }],
  });

  for (const root of ROOTS) api.all(`${root}/*`, problemNotFound);
  return api;
}
