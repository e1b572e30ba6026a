import { and, count, eq, gt, lte } from "drizzle-orm";
import { events } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import type { ProjectContext } from "../context";
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
    const [category, , , status, , , actorId, actorName, actorEmail] = e.columns;
    if (category !== "auth" || status !== "failure") continue;
    const ip = (JSON.parse(e.data) as { request?: { ip?: string } }).request?.ip ?? null;
    out.push({ occurredAt: e.occurredAt, actorId, actorLabel: actorEmail ?? actorName ?? actorId, ip });
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
  const { db, project } = ctx;
  const seen = new Set<string>();
  for (const f of found) {
    for (const [kind, column, value] of [
      ["actor", events.actorId, f.actorId],
      ["ip", events.requestIp, f.ip],
    ] as const) {
      if (!value) continue;
      const bucket = Math.floor(f.occurredAt / BURST_WINDOW_MS);
      const key = `${kind}:${value}:${bucket}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const [row] = await db
        .select({ n: count() })
        .from(events)
        .where(
          and(
            eq(events.projectId, project.id),
            eq(column, value),
            gt(events.occurredAt, f.occurredAt - BURST_WINDOW_MS),
            lte(events.occurredAt, f.occurredAt),
            eq(events.category, "auth"),
            eq(events.status, "failure"),
          ),
        );
      if ((row?.n ?? 0) < BURST_THRESHOLD) continue;
      const who = kind === "actor" ? (f.actorLabel ?? value) : `address ${value}`;
      const filter = kind === "actor" ? `actor_id=${encodeURIComponent(value)}` : `search=${encodeURIComponent(value)}`;
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
