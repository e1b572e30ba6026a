import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { dashboardHeaders, sameOriginOnly } from "../../middleware/dashboard-security";
import { pageNotFound, pageOnError } from "../../middleware/errors";
import { refuseUnstorableQuery } from "../../middleware/query-text";
import { requireSignIn } from "../../middleware/session";
import { accountPages } from "./account";
import { assetRoutes } from "./assets";
import { authPages } from "./auth";
import { docsPages } from "./docs";
import { embedPages } from "./embed";
import { invitePages } from "./invite";
import { operatorPages } from "./operator";
import { passwordResetPages } from "./password-reset";
import { projectListPages, projectPages } from "./projects";

/**
 * The human face: HTML pages and htmx fragments, secure headers with a CSP nonce and same-origin
 * checks on every state change; errors are readable pages. Mounted after the API, it answers every
 * path the API does not.
 */
export function dashboardApp() {
  const dashboard = new Hono<AppEnv>();
  dashboard.onError(pageOnError);
  dashboard.use(refuseUnstorableQuery);

  dashboard.route("/", assetRoutes);
  dashboard.get("/favicon.ico", (c) => c.body(null, 204));
  for (const path of ["/login", "/login/*", "/logout", "/invite/*", "/account", "/account/*", "/p/*", "/operator/*"]) {
    dashboard.use(path, dashboardHeaders, sameOriginOnly);
  }
  dashboard.use("/", dashboardHeaders);
  dashboard.use("/projects", dashboardHeaders, sameOriginOnly);
  dashboard.route("/", authPages);
  dashboard.route("/", passwordResetPages);
  // The API reference is public, like the OpenAPI document it renders.
  dashboard.route("/", docsPages);
  dashboard.route("/invite", invitePages);
  // The embeddable viewer: its own session, headers and frame rules (README "Embeddable viewer").
  dashboard.route("/embed", embedPages);
  dashboard.use("/", requireSignIn);
  dashboard.use("/projects", requireSignIn);
  dashboard.use("/account", requireSignIn);
  dashboard.use("/account/*", requireSignIn);
  dashboard.use("/operator/*", requireSignIn);
  dashboard.route("/", projectListPages);
  dashboard.route("/account", accountPages);
  dashboard.route("/p/:projectId", projectPages);
  dashboard.route("/operator", operatorPages);

  dashboard.all("*", pageNotFound);
  return dashboard;
}
