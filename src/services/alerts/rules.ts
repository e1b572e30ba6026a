import { and, count, desc, eq } from "drizzle-orm";
import { z } from "zod";
import {
  ALERT_CONDITIONS,
  ALERT_GROUPS,
  type AlertRule,
  alertFirings,
  alertRules,
  webhookEndpoints,
} from "../../db/schema";
import { ConflictError, InvariantError, NotFoundError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { IsolateCache } from "../../lib/isolate-cache";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { storableText } from "../../lib/validation";
import { actorId, type ProjectContext } from "../context";
import { compileFilters, type EventQuery } from "../events/filters";
import { checkQuerySize } from "../events/query";
import { logChange } from "../ingest/own-events";
import { KEY_CACHE_MS } from "../key-cache";

// Alert rules of a project (README "Alerts"): a filter in the search syntax, a condition — any
// match (checked as events are stored) or at least N in M minutes (checked by the cron every two
// minutes), optionally per actor, IP address or organisation — and where a firing goes. Every
// change is a `configuration` event.

export const MAX_ALERT_RULES = 50;
/** The cron looks every 2 minutes, so a window is at least 5 (README "Alerts"). */
export const MIN_THRESHOLD_WINDOW_MINUTES = 5;
export const MAX_WINDOW_MINUTES = 1440;

/**
 * Ready-made rules, after Referral Rock's notification types and a sign-in burst. Each is the
 * input of a new rule: picked in the dashboard, it fills the form; through the API, `template`
 * alone creates it.
 */
export const ALERT_TEMPLATES = {
  new_pending_member: {
    name: "New pending member",
    description: "A member joined a program and waits for approval.",
    filter: "type:member.* status:pending",
    condition: "any",
    threshold: 1,
    window_minutes: 1,
    group_by: null,
    email: true,
  },
  funds_low: {
    name: "Funds low",
    description: "A payout failed because the gift card or PayPal balance ran short.",
    filter: 'category:payment status:failed "insufficient funds"',
    condition: "any",
    threshold: 1,
    window_minutes: 60,
    group_by: null,
    email: true,
  },
  member_add_failure: {
    name: "Member add failure",
    description: "Adding a member (through the API or an integration) failed.",
    filter: "type:member.created status:failure",
    condition: "any",
    threshold: 1,
    window_minutes: 5,
    group_by: null,
    email: false,
  },
  rollback_payout: {
    name: "Rollback payout",
    description: "A payout was rolled back.",
    filter: "type:payout.* status:rollback",
    condition: "any",
    threshold: 1,
    window_minutes: 1,
    group_by: null,
    email: false,
  },
  failed_sign_in_burst: {
    name: "Failed sign-in burst",
    description: "At least 10 failed sign-ins from one IP address within 10 minutes.",
    filter: "category:auth status:failure",
    condition: "threshold",
    threshold: 10,
    window_minutes: 10,
    group_by: "ip",
    email: false,
  },
} as const satisfies Record<
  string,
  {
    name: string;
    description: string;
    filter: string;
    condition: (typeof ALERT_CONDITIONS)[number];
    threshold: number;
    window_minutes: number;
    group_by: (typeof ALERT_GROUPS)[number] | null;
    email: boolean;
  }
>;
export type AlertTemplateId = keyof typeof ALERT_TEMPLATES;
export const ALERT_TEMPLATE_IDS = Object.keys(ALERT_TEMPLATES) as [AlertTemplateId, ...AlertTemplateId[]];

const Name = storableText().trim().min(1, "is required").max(100);
const Filter = storableText()
  .max(2000)
  .transform((f) => f.trim())
  .describe(
    'Search syntax, e.g. `category:payment status:rollback` or `type:member.* "failed"`; empty matches every event.',
  );
const Window = z
  .int()
  .min(1)
  .max(MAX_WINDOW_MINUTES)
  .describe(
    `Minutes. For \`threshold\` the window counted (at least ${MIN_THRESHOLD_WINDOW_MINUTES}); for both, a rule fires at most once per window (and group).`,
  );

const fields = {
  name: Name,
  filter: Filter,
  condition: z
    .enum(ALERT_CONDITIONS)
    .describe(
      "`any`: every matching event, as it is stored; `threshold`: at least `threshold` within `window_minutes`.",
    ),
  threshold: z.int().min(1).max(1_000_000).describe("For `threshold`: how many matching events (at least 2)."),
  window_minutes: Window,
  group_by: z
    .enum(ALERT_GROUPS)
    .nullable()
    .describe("Count and fire per actor id, request IP address or organisation; null for the whole project."),
  email: z.boolean().describe("E-mail each alert to the members who chose alert e-mails under Notifications."),
  webhook_id: z
    .string()
    .max(64)
    .nullable()
    .describe("A webhook endpoint of the project that receives each `alert.fired` event; null for none."),
  enabled: z.boolean(),
};

/** Every field of a rule, each optional: what a change may give, and what may replace a template's. */
const ruleFields = {
  name: fields.name.optional(),
  filter: fields.filter.optional(),
  condition: fields.condition.optional(),
  threshold: fields.threshold.optional(),
  window_minutes: fields.window_minutes.optional(),
  group_by: fields.group_by.optional(),
  email: fields.email.optional(),
  webhook_id: fields.webhook_id.optional(),
  enabled: fields.enabled.optional(),
};

export const AlertRuleInput = z
  .strictObject({
    template: z
      .enum(ALERT_TEMPLATE_IDS)
      .optional()
      .describe("Start from a ready-made rule; the other fields given replace the template's."),
    ...ruleFields,
  })
  .meta({ id: "AlertRuleInput" });
export type AlertRuleInput = z.output<typeof AlertRuleInput>;

export const AlertRuleUpdate = z.strictObject(ruleFields).meta({ id: "AlertRuleUpdate" });
export type AlertRuleUpdate = z.output<typeof AlertRuleUpdate>;

/** A rule's settings once complete: what is stored and evaluated. */
export type AlertSettings = {
  name: string;
  filter: string;
  condition: AlertRule["condition"];
  threshold: number;
  window_minutes: number;
  group_by: AlertRule["groupBy"];
  email: boolean;
  webhook_id: string | null;
  enabled: boolean;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const AlertRuleView = z
  .object({
    id: z.string(),
    ...fields,
    template: z.string().nullable(),
    last_fired_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "AlertRule" });

export function alertRuleView(r: AlertRule): z.infer<typeof AlertRuleView> {
  return {
    id: r.id,
    name: r.name,
    filter: r.filter,
    condition: r.condition,
    threshold: r.threshold,
    window_minutes: r.windowMinutes,
    group_by: r.groupBy,
    email: r.email,
    webhook_id: r.webhookId,
    enabled: r.enabled,
    template: r.template,
    last_fired_at: iso(r.lastFiredAt),
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

function settingsOf(r: AlertRule): AlertSettings {
  return {
    name: r.name,
    filter: r.filter,
    condition: r.condition,
    threshold: r.threshold,
    window_minutes: r.windowMinutes,
    group_by: r.groupBy,
    email: r.email,
    webhook_id: r.webhookId,
    enabled: r.enabled,
  };
}

/** The rule's filter, compiled in the project's timezone. */
export function alertQuery(rule: Pick<AlertRule, "filter">, timeZone: string): EventQuery {
  return compileFilters(rule.filter ? { query: rule.filter } : {}, timeZone);
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }]);
}

/** Checks what the schema alone cannot: the condition's numbers, the filter, the endpoint. */
async function checkSettings(ctx: ProjectContext, s: AlertSettings): Promise<void> {
  if (s.condition === "threshold") {
    if (s.threshold < 2) throw invalid("threshold", "must be at least 2 (one event is the condition `any`)");
    if (s.window_minutes < MIN_THRESHOLD_WINDOW_MINUTES)
      throw invalid("window_minutes", `must be at least ${MIN_THRESHOLD_WINDOW_MINUTES} for a threshold`);
  }
  try {
    checkQuerySize(alertQuery(s, ctx.project.timezone));
  } catch (error) {
    if (error instanceof ValidationError) throw invalid("filter", error.message.replace(/^query: /, ""));
    throw error;
  }
  if (s.webhook_id) {
    const [endpoint] = await ctx.db
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.projectId, ctx.project.id), eq(webhookEndpoints.id, s.webhook_id)))
      .limit(1);
    if (!endpoint) throw invalid("webhook_id", "no such webhook endpoint in this project");
  }
}

/** A new rule's settings: the template's (if any), then the fields given, then the defaults. */
export function completeInput(input: AlertRuleInput): AlertSettings {
  const base = input.template ? ALERT_TEMPLATES[input.template] : undefined;
  const condition = input.condition ?? base?.condition ?? "any";
  const name = input.name ?? base?.name;
  if (!name) throw invalid("name", "is required (or give a template)");
  return {
    name,
    filter: input.filter ?? base?.filter ?? "",
    condition,
    threshold: condition === "any" ? 1 : (input.threshold ?? base?.threshold ?? 10),
    window_minutes: input.window_minutes ?? base?.window_minutes ?? (condition === "any" ? 1 : 10),
    group_by: input.group_by !== undefined ? input.group_by : (base?.group_by ?? null),
    email: input.email ?? base?.email ?? false,
    webhook_id: input.webhook_id ?? null,
    enabled: input.enabled ?? true,
  };
}

export async function listAlertRules(ctx: ProjectContext): Promise<AlertRule[]> {
  return ctx.db
    .select()
    .from(alertRules)
    .where(eq(alertRules.projectId, ctx.project.id))
    .orderBy(desc(alertRules.createdAt), desc(alertRules.id));
}

export async function pageAlertRules(ctx: ProjectContext, page: Page): Promise<Paged<AlertRule>> {
  const rows = await ctx.db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.projectId, ctx.project.id), afterCursor(alertRules.createdAt, alertRules.id, page.cursor)))
    .orderBy(desc(alertRules.createdAt), desc(alertRules.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => [r.createdAt, r.id]);
}

export async function getAlertRule(ctx: ProjectContext, id: string): Promise<AlertRule> {
  const [rule] = await ctx.db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.projectId, ctx.project.id), eq(alertRules.id, id)))
    .limit(1);
  if (!rule) throw new NotFoundError("No alert rule with this id in this project.");
  return rule;
}

async function log(
  ctx: ProjectContext,
  type: string,
  summary: string,
  rule: AlertRule,
  changes: Record<string, [unknown, unknown]>,
) {
  await logChange(ctx, {
    type,
    summary,
    entity: { type: "alert_rule", id: rule.id, name: rule.name },
    ...(Object.keys(changes).length > 0 && { changes }),
  });
}

// "Any match" rules are read for every stored batch: each isolate keeps a project's enabled ones
// for KEY_CACHE_MS, as it keeps an API key's check (README "Alerts"). A change made in this isolate
// forgets them at once; other isolates apply it within KEY_CACHE_MS.
const anyMatchCache = new IsolateCache<AlertRule[]>(KEY_CACHE_MS, 1_000);

/** The project's enabled "any match" rules, read at most once per KEY_CACHE_MS in this isolate. */
export async function anyMatchRules(ctx: ProjectContext, now = Date.now()): Promise<AlertRule[]> {
  const id = ctx.project.id;
  const kept = anyMatchCache.get(id, now);
  if (kept) return kept;
  const rules = await ctx.db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.projectId, id), eq(alertRules.condition, "any"), eq(alertRules.enabled, true)));
  anyMatchCache.set(id, rules, now);
  return rules;
}

export async function createAlertRule(
  ctx: ProjectContext,
  input: AlertRuleInput,
  now = Date.now(),
): Promise<AlertRule> {
  const settings = completeInput(input);
  await checkSettings(ctx, settings);
  const [existing] = await ctx.db
    .select({ n: count() })
    .from(alertRules)
    .where(eq(alertRules.projectId, ctx.project.id));
  if ((existing?.n ?? 0) >= MAX_ALERT_RULES)
    throw new ConflictError(`A project has at most ${MAX_ALERT_RULES} alert rules; delete one first.`);
  const [rule] = await ctx.db
    .insert(alertRules)
    .values({
      id: newId("alr", now),
      projectId: ctx.project.id,
      name: settings.name,
      filter: settings.filter,
      condition: settings.condition,
      threshold: settings.threshold,
      windowMinutes: settings.window_minutes,
      groupBy: settings.group_by,
      email: settings.email,
      webhookId: settings.webhook_id,
      enabled: settings.enabled,
      template: input.template ?? null,
      createdBy: actorId(ctx.actor),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!rule) throw new InvariantError("insert into alert_rules returned no row");
  anyMatchCache.delete(ctx.project.id);
  await log(
    ctx,
    "alert_rule.created",
    `Alert rule added: ${rule.name}`,
    rule,
    Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, [null, v]])),
  );
  return rule;
}

export async function updateAlertRule(
  ctx: ProjectContext,
  id: string,
  update: AlertRuleUpdate,
  now = Date.now(),
): Promise<AlertRule> {
  const current = await getAlertRule(ctx, id);
  const before = settingsOf(current);
  const condition = update.condition ?? before.condition;
  const next: AlertSettings = {
    ...before,
    ...Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)),
    condition,
  } as AlertSettings;
  if (condition === "any") next.threshold = 1;
  else if (before.condition === "any" && update.threshold === undefined) next.threshold = 10;
  await checkSettings(ctx, next);
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(next) as (keyof AlertSettings)[])
    if (before[key] !== next[key]) changes[key] = [before[key], next[key]];
  if (Object.keys(changes).length === 0) return current;
  const [updated] = await ctx.db
    .update(alertRules)
    .set({
      name: next.name,
      filter: next.filter,
      condition: next.condition,
      threshold: next.threshold,
      windowMinutes: next.window_minutes,
      groupBy: next.group_by,
      email: next.email,
      webhookId: next.webhook_id,
      enabled: next.enabled,
      updatedAt: now,
    })
    .where(and(eq(alertRules.projectId, ctx.project.id), eq(alertRules.id, id)))
    .returning();
  if (!updated) throw new NotFoundError("No alert rule with this id in this project.");
  anyMatchCache.delete(ctx.project.id);
  await log(ctx, "alert_rule.updated", `Alert rule changed: ${updated.name}`, updated, changes);
  return updated;
}

export async function deleteAlertRule(ctx: ProjectContext, id: string): Promise<void> {
  const current = await getAlertRule(ctx, id);
  await ctx.db.batch([
    ctx.db.delete(alertRules).where(and(eq(alertRules.projectId, ctx.project.id), eq(alertRules.id, id))),
    ctx.db.delete(alertFirings).where(eq(alertFirings.ruleId, id)),
  ]);
  anyMatchCache.delete(ctx.project.id);
  await log(
    ctx,
    "alert_rule.deleted",
    `Alert rule removed: ${current.name}`,
    current,
    Object.fromEntries(Object.entries(settingsOf(current)).map(([k, v]) => [k, [v, null]])),
  );
}
