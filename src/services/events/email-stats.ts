import { type SQL, sql } from "drizzle-orm";
import { eventMetadata, events, FACETS, terms } from "../../db/shard/schema";
import type { ProjectContext } from "../context";
import type { EventQuery } from "./filters";
import { whereClause } from "./query";

// The Emails view's statistics (README "Payments and e-mails"): of the e-mails a query finds, how
// many were sent (all of them), delivered, opened, bounced, blocked and pending, in total and by
// e-mail type (`metadata.template`).

export const EMAIL_STATUSES = ["delivered", "bounced", "blocked", "pending"] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export type EmailCounts = { sent: number; opened: number } & Record<EmailStatus, number>;
export type EmailStats = EmailCounts & { byType: ({ type: string } & EmailCounts)[] };

const empty = (): EmailCounts => ({ sent: 0, opened: 0, delivered: 0, bounced: 0, blocked: 0, pending: 0 });

const metadataKey = (key: string) =>
  sql`(SELECT ${terms.id} FROM ${terms} WHERE ${terms.facet} = ${sql.raw(String(FACETS.metadata))} AND ${terms.value} = ${key})`;

/**
 * One statement: the query's rows through its own index (the Emails view's category index over the
 * range), and for each row one seek into event_metadata by seq for its type and whether it has an
 * `opened_at`; never a scan of the project's other events. Grouped by status and type.
 */
export function emailStatsQuery(pn: number, query: EventQuery): SQL {
  const m = eventMetadata;
  const opened = sql`EXISTS (SELECT 1 FROM ${m} WHERE ${m.seq} = ${events.seq} AND ${m.pn} = ${events.pn} AND ${m.key} = ${metadataKey("opened_at")})`;
  const rows = sql`SELECT ${events.seq} AS seq, ${events.status} AS status, ${opened} AS opened FROM ${events} WHERE ${whereClause(pn, query)}`;
  return sql`SELECT s.value AS status, t.value AS type, count(*) AS n, sum(e.opened) AS opened
    FROM (${rows}) AS e
    LEFT JOIN ${terms} AS s ON s.id = e.status
    LEFT JOIN ${m} AS t ON t.seq = e.seq AND t.pn = ${pn} AND t.key = ${metadataKey("template")}
    GROUP BY 1, 2`;
}

export async function emailStats(ctx: ProjectContext, query: EventQuery): Promise<EmailStats> {
  const rows = await ctx.events.db.all<{ status: string | null; type: string | null; n: number; opened: number }>(
    emailStatsQuery(ctx.events.pn, query),
  );
  const total = empty();
  const byType = new Map<string, EmailCounts>();
  for (const row of rows) {
    const name = row.type ?? "(none)";
    const counts = byType.get(name) ?? empty();
    byType.set(name, counts);
    for (const c of [total, counts]) {
      c.sent += row.n;
      c.opened += row.opened;
      if ((EMAIL_STATUSES as readonly (string | null)[]).includes(row.status)) c[row.status as EmailStatus] += row.n;
    }
  }
  return {
    ...total,
    byType: [...byType]
      .map(([type, counts]) => ({ type, ...counts }))
      .sort((a, b) => b.sent - a.sent || (a.type < b.type ? -1 : 1)),
  };
}
