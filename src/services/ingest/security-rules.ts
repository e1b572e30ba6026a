import { and, eq, type SQL, sql } from "drizzle-orm";
import { events } from "../../db/shard/schema";
import { sha256Hex } from "../../lib/crypto";
import type { ProjectContext } from "../context";
import type { Condition } from "../events/filters";
import { whereClause } from "../events/query";
import { notify } from "../notifications/notify";
import type { PreparedEvent } from "./prepare";

// Security monitoring (README "The dashboard", Security): five or more failed sign-ins for one actor or one IP address
// within ten minutes raise one notification per ten-minute window. The rule runs on every stored
// auth failure, Trailbook's own sign-ins and ingested `auth` events alike.

export const BURST_THRESHOLD = 5;
export const BURST_WINDOW_MS = 10 * 60_000;

type Failure = { occurredAt: number; actorId: string | null; actorLabel: string | null; ip: string | null };

function failures(events: PreparedEvent[]): Failure[] {
  const out: Failure[] = [];
  for (const e of events) {
    if (e.category !== "auth" || e.status !== "failure") continue;
    out.push({
      occurredAt: e.occurredAt,
      actorId: e.actorId,
      actorLabel: e.actorEmail ?? e.actorName ?? e.actorId,
      ip: e.requestIp,
    });
  }
  return out;
}

async function hexKey(text: string): Promise<string> {
  return (await sha256Hex(text)).slice(0, 16);
}

/** Checks the bursts the just-stored events may complete. */
export async function checkFailedSignIns(ctx: ProjectContext, stored: PreparedEvent[]): Promise<void> {
  const found = failures(stored);
  if (found.length === 0) return;
  const { project } = ctx;
  const { db, pn } = ctx.events;
  const failed: Condition[] = [
    { kind: "equals", column: "category", values: ["auth"], negated: false },
    { kind: "equals", column: "status", values: ["failure"], negated: false },
  ];
  const seen = new Set<string>();
  for (const f of found) {
    for (const [kind, value] of [
      ["actor", f.actorId],
      ["ip", f.ip],
    ] as const) {
      if (!value) continue;
      const bucket = Math.floor(f.occurredAt / BURST_WINDOW_MS);
      const key = `${kind}:${value}:${bucket}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const by: Condition[] =
        kind === "actor" ? [{ kind: "equals", column: "actor_id", values: [value], negated: false }] : [];
      // (from, to]: the window ends with the failure just stored.
      const where = and(
        whereClause(pn, {
          from: f.occurredAt - BURST_WINDOW_MS + 1,
          to: f.occurredAt + 1,
          conditions: [...failed, ...by],
          text: [],
        }),
        kind === "ip" ? eq(events.requestIp, value) : undefined,
      ) as SQL;
      const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${events} WHERE ${where}`);
      if ((row?.n ?? 0) < BURST_THRESHOLD) continue;
      const who = kind === "actor" ? (f.actorLabel ?? value) : `address ${value}`;
      // The address is no full-text word: the explorer finds it by `ip:` (README "Filters").
      const filter =
        kind === "actor" ? `actor_id=${encodeURIComponent(value)}` : `search=${encodeURIComponent(`ip:${value}`)}`;
      await notify(
        ctx,
        {
          projectId: project.id,
          type: "security.failed_logins",
          title: `${row?.n ?? BURST_THRESHOLD} failed sign-ins for ${who} within 10 minutes`,
          body: "Someone may be guessing a password. Check the sign-ins and block the address if needed.",
          link: `/p/${project.id}/events?view=security&status=failure&range=24h&${filter}`,
        },
        `sec_${kind}_${await hexKey(`${project.id}:${value}`)}_${bucket}`,
      );
    }
  }
}
