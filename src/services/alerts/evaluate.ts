import { and, eq, type SQL, sql } from "drizzle-orm";
import { prepared } from "../../db/raw";
import {
  type AlertRule,
  alertFirings,
  alertRules,
  placements,
  projects,
  webhookEndpoints,
  webhookSendouts,
} from "../../db/schema";
import { events } from "../../db/shard/schema";
import { sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { inProject, type ProjectContext, type ServiceContext } from "../context";
import type { Condition, EventQuery } from "../events/filters";
import { whereClause } from "../events/query";
import { enqueueDeliveries, eventSendoutId } from "../ingest/fanout";
import { doneBy } from "../ingest/own-events";
import type { PreparedEvent } from "../ingest/prepare";
import { recordEvents } from "../ingest/record";
import { notify } from "../notifications/notify";
import { alertQuery, anyMatchRules } from "./rules";

// Evaluating alert rules (README "Alerts"). "Any match" rules run as events are stored: the
// project's rules are kept per isolate for a few seconds (anyMatchRules), and each rule is one
// indexed query over the batch's ids on the shard, all in one round trip. Threshold rules run from
// the 2-minute cron over the last window. A rule fires at most once per window and group; each
// firing is a notification, an `alert.fired` event (category `configuration`) and, if the rule
// names one, a webhook delivery. `alert.fired` events never count towards a rule, so an alert
// cannot feed itself.

export const ALERT_EVENT_TYPE = "alert.fired";
const MINUTE = 60_000;
/** Groups one rule may fire for in one check (the rest wait for the next window). */
const MAX_GROUPS = 20;
/** Threshold rules checked per cron run. */
const MAX_RULES_PER_RUN = 500;

const notAlerts = (): Condition => ({ kind: "type", exact: [ALERT_EVENT_TYPE], prefixes: [], negated: true });

function groupExpression(rule: Pick<AlertRule, "groupBy">): SQL {
  switch (rule.groupBy) {
    case "actor":
      return sql`(${events.data} ->> '$.actor.id')`;
    case "ip":
      return sql`${events.requestIp}`;
    case "organization":
      return sql`(${events.data} ->> '$.organization_id')`;
    default:
      return sql`''`;
  }
}

/** How many matching events each group has, within `query`, at most MAX_GROUPS groups. */
function countQuery(pn: number, rule: AlertRule, query: EventQuery, extra?: SQL): SQL {
  const group = groupExpression(rule);
  const where = and(whereClause(pn, query), extra);
  return sql`SELECT ${group} AS g, count(*) AS n, min(${events.id}) AS first FROM ${events} WHERE ${where} GROUP BY 1 HAVING g IS NOT NULL AND n >= ${rule.threshold} ORDER BY n DESC LIMIT ${MAX_GROUPS}`;
}

type Hit = { g: string; n: number; first: string | null };

/** The rule's filter limited to [from, to), or undefined when nothing of it is left. */
function within(query: EventQuery, from: number, to: number): EventQuery | undefined {
  const lo = Math.max(query.from ?? from, from);
  const hi = Math.min(query.to ?? to, to);
  if (lo >= hi) return undefined;
  return { ...query, from: lo, to: hi };
}

/**
 * "Any match" rules over events just stored. Called after the batch committed; a failure here is
 * only logged, so monitoring never makes a stored event look unstored.
 */
export async function checkAlertsOnIngest(ctx: ProjectContext, stored: PreparedEvent[], now = Date.now()) {
  const candidates = stored.filter((e) => e.type !== ALERT_EVENT_TYPE);
  if (candidates.length === 0) return;
  const rules = await anyMatchRules(ctx, now);
  if (rules.length === 0) return;
  const { d1, pn } = ctx.events;
  const ids = sql`${events.id} IN (SELECT value FROM json_each(${JSON.stringify(candidates.map((e) => e.id))}))`;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const e of candidates) {
    from = Math.min(from, e.occurredAt);
    to = Math.max(to, e.occurredAt + 1);
  }
  const checks: { rule: AlertRule; statement: D1PreparedStatement }[] = [];
  for (const rule of rules) {
    try {
      const query = within(alertQuery(rule, ctx.project.timezone), from, to);
      if (query) checks.push({ rule, statement: prepared(d1, countQuery(pn, rule, query, ids)) });
    } catch (error) {
      // A filter valid when saved may not compile later (e.g. a timezone change): skip it, loudly.
      console.error(`alert rule ${rule.id} could not be evaluated`, error);
    }
  }
  if (checks.length === 0) return;
  const results = await d1.batch<Hit>(checks.map((c) => c.statement));
  for (const [i, check] of checks.entries()) {
    for (const hit of results[i]?.results ?? []) {
      await fireAlert(ctx, check.rule, { group: hit.g, count: hit.n, firstEventId: hit.first }, now);
    }
  }
}

/** Threshold rules: each over its last window, for every project; run by the 2-minute cron. */
export async function checkAlertWindows(ctx: ServiceContext, now = Date.now()): Promise<number> {
  const rows = await ctx.db
    .select({ rule: alertRules, project: projects, placement: { shard: placements.shard, pn: placements.pn } })
    .from(alertRules)
    .innerJoin(projects, eq(projects.id, alertRules.projectId))
    .innerJoin(placements, eq(placements.projectId, alertRules.projectId))
    .where(and(eq(alertRules.condition, "threshold"), eq(alertRules.enabled, true)))
    .orderBy(alertRules.lastFiredAt)
    .limit(MAX_RULES_PER_RUN);
  let fired = 0;
  for (const { rule, project, placement } of rows) {
    try {
      const pctx = inProject(ctx, project, placement);
      const base = alertQuery(rule, project.timezone);
      const query = within(
        { ...base, conditions: [...base.conditions, notAlerts()] },
        now - rule.windowMinutes * MINUTE,
        now + 1,
      );
      if (!query) continue;
      const hits = await pctx.events.db.all<Hit>(countQuery(pctx.events.pn, rule, query));
      for (const hit of hits) {
        if (await fireAlert(pctx, rule, { group: hit.g, count: hit.n, firstEventId: hit.first }, now)) fired++;
      }
    } catch (error) {
      console.error(`alert rule ${rule.id} could not be evaluated`, error);
    }
  }
  return fired;
}

type Firing = { group: string; count: number; firstEventId: string | null };

const GROUP_WORDS = { actor: "actor", ip: "IP address", organization: "organisation" } as const;
const GROUP_KEYS = { actor: "actor", ip: "ip", organization: "org" } as const;

function quoted(value: string): string {
  return /^[^\s"]+$/.test(value) ? value : `"${value.replace(/"/g, "")}"`;
}

/** The explorer, showing what fired: the rule's filter (and group) over the last day. */
function explorerLink(projectId: string, rule: AlertRule, group: string): string {
  const search = [rule.filter, rule.groupBy && group ? `${GROUP_KEYS[rule.groupBy]}:${quoted(group)}` : ""]
    .filter(Boolean)
    .join(" ");
  return `/p/${projectId}/events${search ? `?search=${encodeURIComponent(search)}` : ""}`;
}

/**
 * Fires once per window and group: the firing row moves only when the last firing is a whole
 * window old (one atomic upsert), so concurrent checks of the same window fire once. Returns
 * whether it fired.
 */
export async function fireAlert(ctx: ProjectContext, rule: AlertRule, firing: Firing, now = Date.now()) {
  const windowMs = rule.windowMinutes * MINUTE;
  const claimed = await ctx.db
    .insert(alertFirings)
    .values({ ruleId: rule.id, groupKey: firing.group, firedAt: now })
    .onConflictDoUpdate({
      target: [alertFirings.ruleId, alertFirings.groupKey],
      set: { firedAt: now },
      setWhere: sql`${alertFirings.firedAt} <= ${now - windowMs}`,
    })
    .returning({ ruleId: alertFirings.ruleId });
  if (claimed.length === 0) return false;
  await ctx.db
    .update(alertRules)
    .set({ lastFiredAt: now })
    .where(and(eq(alertRules.id, rule.id), eq(alertRules.projectId, ctx.project.id)));

  const { project } = ctx;
  const minutes = `${rule.windowMinutes} minute${rule.windowMinutes === 1 ? "" : "s"}`;
  const what =
    rule.condition === "any"
      ? `${firing.count} matching event${firing.count === 1 ? "" : "s"}`
      : `${firing.count} matching events within ${minutes}`;
  const forGroup = rule.groupBy && firing.group ? ` for ${GROUP_WORDS[rule.groupBy]} ${firing.group}` : "";
  const summary = `Alert "${rule.name}": ${what}${forGroup}`.slice(0, 1000);
  const link = explorerLink(project.id, rule, firing.group);
  const [event] = await recordEvents(
    ctx,
    [
      {
        id: newId("evt", now),
        category: "configuration",
        type: ALERT_EVENT_TYPE,
        summary,
        ...doneBy(ctx, { kind: "system", name: "alerts" }),
        entity: { type: "alert_rule", id: rule.id, name: rule.name },
        metadata: {
          rule_id: rule.id,
          condition: rule.condition,
          threshold: rule.threshold,
          window_minutes: rule.windowMinutes,
          group_by: rule.groupBy,
          group: firing.group || null,
          count: firing.count,
          first_event_id: firing.firstEventId,
          filter: rule.filter,
          link,
        },
      },
    ],
    { batch: false },
  );
  const groupKey = (await sha256Hex(firing.group)).slice(0, 12);
  await notify(
    ctx,
    {
      projectId: project.id,
      type: ALERT_EVENT_TYPE,
      title: summary,
      body: rule.filter ? `Filter: ${rule.filter}` : "Every event matches this rule.",
      link,
      noEmail: !rule.email,
    },
    `alert_${rule.id}_${groupKey}_${now}`,
    now,
  );
  if (rule.webhookId && event) await deliverToEndpoint(ctx, rule.webhookId, event.id, now);
  return true;
}

/**
 * The `alert.fired` event to the rule's endpoint, whatever types it subscribed to. The sendout id
 * is the one the fan-out would give it, so an endpoint that also subscribed gets it once.
 */
async function deliverToEndpoint(ctx: ProjectContext, endpointId: string, eventId: string, now: number) {
  const [endpoint] = await ctx.db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.projectId, ctx.project.id),
        eq(webhookEndpoints.id, endpointId),
        eq(webhookEndpoints.enabled, true),
      ),
    )
    .limit(1);
  if (!endpoint) return;
  const id = await eventSendoutId(ctx.project.id, eventId, endpoint.id);
  const inserted = await ctx.db
    .insert(webhookSendouts)
    .values({
      id,
      projectId: ctx.project.id,
      endpointId: endpoint.id,
      eventId,
      eventType: ALERT_EVENT_TYPE,
      status: "pending",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: webhookSendouts.id });
  if (inserted.length > 0) await enqueueDeliveries(ctx, [id]);
}
