import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import {
  ALERT_TEMPLATES,
  AlertRuleInput,
  AlertRuleUpdate,
  AlertRuleView,
  alertRuleView,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  pageAlertRules,
  updateAlertRule,
} from "../../services/alerts/rules";
import {
  apiRouter,
  authProblems,
  bearerAuth,
  bodyProblems,
  conflictProblem,
  json,
  listQueryProblem,
  notFoundProblem,
  PageParams,
  pageOf,
} from "./openapi";

const Id = z.object({ id: z.string().max(64) });
const tags = ["Alert rules"];
const BODY_LIMIT = 16 * 1024;

const Template = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    filter: z.string(),
    condition: z.string(),
    threshold: z.int(),
    window_minutes: z.int(),
    group_by: z.string().nullable(),
    email: z.boolean(),
  })
  .meta({ id: "AlertTemplate" });

export const alertRulesApi = apiRouter();
alertRulesApi.use(apiKeyAuth);

alertRulesApi
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Add an alert rule (at most 50 per project)",
      description:
        "A filter in the search syntax and a condition: `any` (every matching event, checked as it is stored) or `threshold` (at least `threshold` matching events within `window_minutes`, checked every 2 minutes), optionally per actor, IP address or organisation. Each firing is a notification, an `alert.fired` event and, with `webhook_id`, a delivery to that endpoint. `template` starts from a ready-made rule (`GET /v1/alert-rules/templates`).",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(BODY_LIMIT)] as const,
      request: { body: { required: true, content: { "application/json": { schema: AlertRuleInput } } } },
      responses: {
        201: json(AlertRuleView, "Created."),
        ...authProblems,
        ...bodyProblems,
        ...conflictProblem,
      },
    }),
    async (c) => c.json(alertRuleView(await createAlertRule(c.var.ctx, c.req.valid("json"))), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Alert rules, newest first",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { query: PageParams.strict() },
      responses: { 200: json(pageOf(AlertRuleView), "A page of rules."), ...authProblems, ...listQueryProblem },
    }),
    async (c) => {
      const page = await pageAlertRules(c.var.ctx, c.req.valid("query"));
      return c.json({ data: page.data.map(alertRuleView), next_cursor: page.next_cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/templates",
      tags,
      summary: "Ready-made rules to start from",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      responses: { 200: json(z.object({ data: z.array(Template) }), "The templates."), ...authProblems },
    }),
    (c) =>
      c.json(
        { data: Object.entries(ALERT_TEMPLATES).map(([id, t]) => ({ id, ...t, group_by: t.group_by ?? null })) },
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "One alert rule",
      security: bearerAuth,
      middleware: [requireScope("read")] as const,
      request: { params: Id },
      responses: { 200: json(AlertRuleView, "The rule."), ...authProblems, ...notFoundProblem },
    }),
    async (c) => c.json(alertRuleView(await getAlertRule(c.var.ctx, c.req.valid("param").id)), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags,
      summary: "Change, disable or enable an alert rule",
      security: bearerAuth,
      middleware: [requireScope("admin"), jsonBody(BODY_LIMIT)] as const,
      request: { params: Id, body: { required: true, content: { "application/json": { schema: AlertRuleUpdate } } } },
      responses: {
        200: json(AlertRuleView, "Changed."),
        ...authProblems,
        ...bodyProblems,
        ...notFoundProblem,
      },
    }),
    async (c) =>
      c.json(alertRuleView(await updateAlertRule(c.var.ctx, c.req.valid("param").id, c.req.valid("json"))), 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Remove an alert rule",
      security: bearerAuth,
      middleware: [requireScope("admin")] as const,
      request: { params: Id },
      responses: { 204: { description: "Removed." }, ...authProblems, ...notFoundProblem },
    }),
    async (c) => {
      await deleteAlertRule(c.var.ctx, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
