import { eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import {
  type AlertFormValues,
  AlertRulePage,
  type AlertRuleRow,
  Alerts,
  DeleteAlertRule,
} from "../../../views/pages/Alerts";
import { type AlertRule, webhookEndpoints } from "../../db/schema";
import type { ProjectEnv } from "../../env";
import { toValidationError } from "../../lib/validation";
import { requirePermission } from "../../middleware/session";
import {
  ALERT_TEMPLATES,
  AlertRuleInput,
  AlertRuleUpdate,
  type AlertTemplateId,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  listAlertRules,
  updateAlertRule,
} from "../../services/alerts/rules";
import { attempt } from "./form";
import { renderPage } from "./frame";

// Settings → Alerts (README "Alerts"). Post/Redirect/Get: a change redirects with a fixed notice;
// a refused one shows the same page again with the message and what was entered. A template
// (`?template=`) fills the new rule's form; nothing is saved until the form is sent.

type C = Context<ProjectEnv>;

const NOTICES: Record<string, string> = {
  created: "Alert rule added.",
  saved: "Saved.",
  deleted: "Alert rule deleted.",
};

const TEMPLATE_OPTIONS = Object.entries(ALERT_TEMPLATES).map(([id, t]) => ({
  id,
  name: t.name,
  description: t.description,
}));

const BLANK: AlertFormValues = {
  template: "",
  name: "",
  filter: "",
  condition: "any",
  threshold: "1",
  window_minutes: "5",
  group_by: "",
  email: false,
  webhook_id: "",
  enabled: true,
};

function isTemplate(id: string | undefined): id is AlertTemplateId {
  return id !== undefined && Object.hasOwn(ALERT_TEMPLATES, id);
}

function fromTemplate(id: string | undefined): AlertFormValues {
  if (!isTemplate(id)) return BLANK;
  const t = ALERT_TEMPLATES[id];
  return {
    template: id,
    name: t.name,
    filter: t.filter,
    condition: t.condition,
    threshold: String(t.threshold),
    window_minutes: String(t.window_minutes),
    group_by: t.group_by ?? "",
    email: t.email,
    webhook_id: "",
    enabled: true,
  };
}

function fromRule(r: AlertRule): AlertFormValues {
  return {
    template: "",
    name: r.name,
    filter: r.filter,
    condition: r.condition,
    threshold: String(r.threshold),
    window_minutes: String(r.windowMinutes),
    group_by: r.groupBy ?? "",
    email: r.email,
    webhook_id: r.webhookId ?? "",
    enabled: r.enabled,
  };
}

type Form = Record<string, unknown>;
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** What the form sent, to show again after a refusal. */
function fromForm(form: Form): AlertFormValues {
  return {
    template: text(form.template),
    name: text(form.name),
    filter: text(form.filter),
    condition: text(form.condition),
    threshold: text(form.threshold),
    window_minutes: text(form.window_minutes),
    group_by: text(form.group_by),
    email: form.email === "1",
    webhook_id: text(form.webhook_id),
    enabled: form.enabled === "1",
  };
}

/** The form as the API's input: numbers, booleans (an unticked box is absent), empty as none. */
function formInput(form: Form, withTemplate: boolean): Record<string, unknown> {
  const v = fromForm(form);
  const number = (s: string) => (/^\d{1,9}$/.test(s.trim()) ? Number(s.trim()) : s);
  return {
    ...(withTemplate && isTemplate(v.template) && { template: v.template }),
    name: v.name,
    filter: v.filter,
    condition: v.condition,
    ...(v.condition === "threshold" && { threshold: number(v.threshold) }),
    window_minutes: number(v.window_minutes),
    group_by: v.group_by === "" ? null : v.group_by,
    email: v.email,
    webhook_id: v.webhook_id === "" ? null : v.webhook_id,
    enabled: v.enabled,
  };
}

async function endpoints(c: C) {
  return c.var.ctx.db
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, c.var.project.id));
}

async function row(c: C, r: AlertRule, known?: { id: string; url: string }[]): Promise<AlertRuleRow> {
  const list = known ?? (await endpoints(c));
  return {
    id: r.id,
    name: r.name,
    filter: r.filter,
    condition: r.condition,
    threshold: r.threshold,
    windowMinutes: r.windowMinutes,
    groupBy: r.groupBy,
    email: r.email,
    webhookUrl: r.webhookId ? (list.find((e) => e.id === r.webhookId)?.url ?? r.webhookId) : null,
    enabled: r.enabled,
    lastFiredAt: r.lastFiredAt,
  };
}

async function renderList(c: C, flash: { error?: string } = {}, status = 200, values?: AlertFormValues) {
  const [rules, known] = await Promise.all([listAlertRules(c.var.ctx), endpoints(c)]);
  return renderPage(
    c,
    Alerts,
    {
      error: flash.error,
      success: NOTICES[c.req.query("done") ?? ""],
      rules: await Promise.all(rules.map((r) => row(c, r, known))),
      templates: TEMPLATE_OPTIONS,
      endpoints: known,
      values: values ?? fromTemplate(c.req.query("template")),
    },
    status as 200,
  );
}

async function renderRule(c: C, id: string, flash: { error?: string } = {}, status = 200, values?: AlertFormValues) {
  const rule = await getAlertRule(c.var.ctx, id);
  const known = await endpoints(c);
  return renderPage(
    c,
    AlertRulePage,
    {
      error: flash.error,
      success: NOTICES[c.req.query("done") ?? ""],
      rule: await row(c, rule, known),
      endpoints: known,
      values: values ?? fromRule(rule),
    },
    status as 200,
  );
}

/** Reads the form through the API's own schema, after turning its strings into values. */
async function readForm<T extends z.ZodType>(c: C, schema: T, withTemplate: boolean) {
  const form = (await c.req.parseBody()) as Form;
  const result = schema.safeParse(formInput(form, withTemplate));
  const message = result.success
    ? undefined
    : toValidationError(result.error, "form")
        .errors.map((e) => `${e.path.replace(/_/g, " ")}: ${e.message}`)
        .join("; ");
  return { form, input: result.success ? (result.data as z.output<T>) : undefined, message };
}

export const alertPages = new Hono<ProjectEnv>()
  .use(requirePermission("alerts.manage"))
  .get("/", (c) => renderList(c))
  .post("/", async (c) => {
    const { form, input, message } = await readForm(c, AlertRuleInput, true);
    if (!input) return renderList(c, { error: message }, 422, fromForm(form));
    const outcome = await attempt(() => createAlertRule(c.var.ctx, input));
    if (outcome.error) return renderList(c, { error: outcome.error }, outcome.status, fromForm(form));
    return c.redirect(`/p/${c.var.project.id}/settings/alerts?done=created`, 303);
  })
  .get("/:ruleId", (c) => renderRule(c, c.req.param("ruleId")))
  .post("/:ruleId", async (c) => {
    const id = c.req.param("ruleId");
    const { form, input, message } = await readForm(c, AlertRuleUpdate, false);
    if (!input) return renderRule(c, id, { error: message }, 422, fromForm(form));
    const outcome = await attempt(() => updateAlertRule(c.var.ctx, id, input));
    if (outcome.error) return renderRule(c, id, { error: outcome.error }, outcome.status, fromForm(form));
    return c.redirect(`/p/${c.var.project.id}/settings/alerts/${id}?done=saved`, 303);
  })
  .get("/:ruleId/delete", async (c) => {
    const rule = await getAlertRule(c.var.ctx, c.req.param("ruleId"));
    return renderPage(c, DeleteAlertRule, { rule: await row(c, rule) });
  })
  .post("/:ruleId/delete", async (c) => {
    await deleteAlertRule(c.var.ctx, c.req.param("ruleId"));
    return c.redirect(`/p/${c.var.project.id}/settings/alerts?done=deleted`, 303);
  });
