import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { logStreams } from "../../db/schema";
import type { ServiceContext } from "../context";
import { enqueueStreamRun } from "./messages";

/** An active stream this long past its next run has lost its message (a crash between a run and its send). */
export const STREAM_STALE_MS = 2 * 60_000;

/**
 * Re-sends the message of active streams whose run is overdue and not held by a live run (the
 * every-2-minutes cron). Their next run is moved to now, so the following sweep leaves them to this message.
 */
export async function sweepStreams(
  ctx: ServiceContext,
  now = Date.now(),
  staleAfterMs = STREAM_STALE_MS,
): Promise<number> {
  const stale = await ctx.db
    .select({ id: logStreams.id })
    .from(logStreams)
    .where(
      and(
        eq(logStreams.state, "active"),
        or(isNull(logStreams.nextRunAt), lt(logStreams.nextRunAt, now - staleAfterMs)),
        or(isNull(logStreams.leaseUntil), lt(logStreams.leaseUntil, now)),
      ),
    )
    .limit(500);
  if (stale.length === 0) return 0;
  const ids = stale.map((s) => s.id);
  for (let i = 0; i < ids.length; i += 90)
    await ctx.db
      .update(logStreams)
      .set({ nextRunAt: now })
      .where(inArray(logStreams.id, ids.slice(i, i + 90)));
  for (const id of ids) await enqueueStreamRun(ctx, id);
  return ids.length;
}
