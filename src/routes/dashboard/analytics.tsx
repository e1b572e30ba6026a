import { Hono } from "hono";
import { formatInZone } from "../../../views/components/time";
import { Analytics, Security } from "../../../views/pages/Analytics";
import { statusTone } from "../../../views/pages/explorer/format";
import type { ProjectEnv } from "../../env";
import { timeZoneOffset, wallTimeToInstant } from "../../lib/time";
import { requirePermission } from "../../middleware/session";
import { securityOverview } from "../../services/analytics/security";
import { analytics } from "../../services/analytics/summary";
import { scopeForAccess } from "../../services/events/filters";
import { formTime } from "./explorer-state";
import { renderPage } from "./frame";

const HOUR = 3600_000;
// Buckets start on round wall times of the project's zone: whole hours, 00/06/12/18 h, midnights.
const RANGES = {
  "24h": { span: 24 * HOUR, bucket: HOUR, align: HOUR, label: "24 hours", labelChars: [5, 16] },
  "7d": { span: 7 * 24 * HOUR, bucket: 6 * HOUR, align: 6 * HOUR, label: "7 days", labelChars: [5, 16] },
  "30d": { span: 30 * 24 * HOUR, bucket: 24 * HOUR, align: 24 * HOUR, label: "30 days", labelChars: [5, 10] },
  "90d": { span: 90 * 24 * HOUR, bucket: 3 * 24 * HOUR, align: 24 * HOUR, label: "90 days", labelChars: [5, 10] },
} as const;
type RangeKey = keyof typeof RANGES;

/** The last round wall time (a multiple of `align` in `timeZone`) at or before `ms`. */
function roundDown(ms: number, align: number, timeZone: string): number {
  const wall = ms + timeZoneOffset(ms, timeZone);
  return wallTimeToInstant(wall - (((wall % align) + align) % align), timeZone);
}

export const analyticsPages = new Hono<ProjectEnv>()
  .get("/analytics", requirePermission("analytics.read"), async (c) => {
    const { project, access, ctx } = c.var;
    const key = (Object.keys(RANGES).includes(c.req.query("range") ?? "") ? c.req.query("range") : "7d") as RangeKey;
    const { span, bucket, align, labelChars } = RANGES[key];
    // The range is the explorer's "last 7 days" (to the second, the dates inputs' precision), so a
    // bar's number and the explorer's count agree; the buckets start on round times before it.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const from = now - span;
    const to = now + 1000;
    const origin = roundDown(from, align, project.timezone);
    const scoped = scopeForAccess({ from, to, conditions: [], text: [] }, access);
    const data = await analytics(ctx, { ...scoped, from, to }, bucket, origin);
    const explore = (params: Record<string, string>) =>
      `/p/${project.id}/events?${new URLSearchParams(params).toString()}`;
    // A bucket's events: its bounds in the form the explorer's date inputs show (project time), so
    // they stay in the form and survive the next Apply there. The To is the last second included.
    const window = (i: number) => ({
      range: "custom",
      from: formTime(Math.max(from, origin + i * bucket), project.timezone),
      to: formTime(Math.min(to, origin + (i + 1) * bucket) - 1000, project.timezone),
    });
    const label = (i: number) => formatInZone(origin + i * bucket, project.timezone).slice(...labelChars);
    const buckets = Math.ceil((to - origin) / bucket);
    const keys = data.categories.map((x) => x.category);
    const stacks = Array.from({ length: buckets }, (_, i) => ({
      label: label(i),
      href: explore(window(i)),
      parts: keys.map((k) => ({
        key: k,
        value: data.overTime.find((r) => r.bucket === i && r.category === k)?.count ?? 0,
        href: explore({ ...window(i), category: k }),
      })),
    }));
    const range = { range: key };
    return renderPage(c, Analytics, {
      ranges: (Object.keys(RANGES) as RangeKey[]).map((k) => ({
        label: RANGES[k].label,
        href: `/p/${project.id}/analytics?range=${k}`,
        active: k === key,
      })),
      total: data.total,
      stacks: stacks,
      categoryKeys: keys,
      categories: data.categories.map((x) => ({
        label: x.category,
        value: x.count,
        key: x.category,
        href: explore({ ...range, category: x.category }),
      })),
      statuses: data.statuses.map((x) => ({
        label: x.status ?? "(no status)",
        value: x.count,
        // Coloured like the status badges of the explorer.
        tone: statusTone({ status: x.status ?? undefined }),
        href: explore(x.status ? { ...range, status: x.status } : range),
      })),
      types: data.topTypes.map((x) => ({ label: x.type, value: x.count, href: explore({ ...range, type: x.type }) })),
      actors: data.topActors.map((x) => ({
        label: x.name ?? x.actorId,
        value: x.count,
        href: explore({ ...range, actor_id: x.actorId }),
      })),
      auth: data.auth.map((x) => ({
        label: `${x.type}${x.status ? ` (${x.status})` : ""}`,
        value: x.count,
        key: "auth",
        href: explore({ ...range, view: "security", type: x.type, ...(x.status && { status: x.status }) }),
      })),
      apiErrors: Array.from({ length: buckets }, (_, i) => {
        const row = data.apiErrors.find((r) => r.bucket === i);
        return {
          label: label(i),
          total: row?.total ?? 0,
          failed: row?.failed ?? 0,
          href: explore({ ...window(i), view: "api", status: "failure" }),
        };
      }),
    });
  })
  .get("/security", requirePermission("events.read_configuration"), async (c) => {
    const { project, access, ctx } = c.var;
    const { alerts, byActor, byIp } = await securityOverview(ctx, access);
    const explore = (params: Record<string, string>) =>
      `/p/${project.id}/events?${new URLSearchParams({ view: "security", status: "failure", ...params }).toString()}`;
    return renderPage(c, Security, {
      alerts: alerts.map((a) => ({
        id: a.id,
        title: a.title,
        body: a.body,
        link: a.link,
        createdAt: new Date(a.createdAt).toISOString(),
      })),
      actors: byActor.map((r) => ({
        label: r.name ?? r.key,
        value: r.count,
        key: "fraud",
        href: explore({ actor_id: r.key }),
      })),
      addresses: byIp.map((r) => ({ label: r.key, value: r.count, key: "fraud", href: explore({ search: r.key }) })),
    });
  });
