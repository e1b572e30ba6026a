import { and, eq, isNull, lt, or } from "drizzle-orm";
import { type LogStream, logStreams, placements, projects } from "../../db/schema";
import { randomToken } from "../../lib/ids";
import { checkDestination, type Resolver } from "../../lib/outbound-url";
import { open } from "../../lib/secret-box";
import { inProject, type ProjectContext, type ServiceContext } from "../context";
import { decodeFeedCursor, encodeFeedCursor, type FeedPosition, feedBefore, readFeed } from "../events/feed";
import { compileFilters, type EventQuery } from "../events/filters";
import { type ListRow, toStoredEvent } from "../events/query";
import type { StoredEvent } from "../events/schema";
import { notify } from "../notifications/notify";
import { BATCH_LIMITS, destinationUrl, type StoredDestination, type StreamSecrets } from "./destinations";
import { type Batch, batchId, batchRequest, bodyOf, entryBytes, entryOf, type Project } from "./wire";

// The delivery engine of log streams (README "Log streams"): at least once, in feed order. A run
// holds the stream's lease, reads the settled feed after the stream's cursor, cuts batches by
// count and bytes within the destination's limits, and moves the cursor to a batch's end only
// after the destination answered 2xx (in the same write as the batch's success). A failed batch is
// sent again, the same events under the same batch id, after a growing delay; three days of
// failures disable the stream and tell its owners.

export type Fetcher = (request: Request) => Promise<Response>;
export type Outbound = { fetch: Fetcher; resolve: Resolver; allowPrivate: boolean };

/** What the queue does next: send the stream's next message after a delay, or nothing. */
export type RunOutcome = { kind: "next"; delaySeconds: number } | { kind: "stopped"; reason: string };

export const SECRETS_PURPOSE = "stream-secrets";
/** A run starts no batch after this long, so a message never outlives its invocation. */
export const RUN_BUDGET_MS = 10_000;
/** Longer than a run can take (its budget plus one request's timeout plus the writes). */
export const LEASE_MS = 120_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const DISABLE_AFTER_MS = 3 * 24 * 3600_000;
/** Delays before the n-th retry of a failed batch (±10 % jitter), then hourly. */
export const RETRY_DELAYS_SECONDS = [10, 30, 60, 120, 300, 600, 1800, 3600];
const MAX_RETRY_AFTER_SECONDS = 3600;
/** A message may arrive a little before the time it was sent for. */
const DUE_SLACK_MS = 2_000;
/** Feed pages one batch may read while a filter matches little, before it ends the batch there. */
const MAX_SCANS_PER_BATCH = 20;
const FEED_PAGE_ROWS = 500;

export function retryDelaySeconds(failures: number, retryAfter: string | null, random = Math.random): number {
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) {
    const seconds = Number(retryAfter.trim());
    if (seconds > 0) return Math.min(MAX_RETRY_AFTER_SECONDS, seconds);
  }
  const base = RETRY_DELAYS_SECONDS[Math.min(failures, RETRY_DELAYS_SECONDS.length) - 1] ?? 3600;
  return Math.max(1, Math.round(base * (0.9 + random() * 0.2)));
}

type Loaded = { stream: LogStream; ctx: ProjectContext };

async function load(ctx: ServiceContext, streamId: string): Promise<Loaded | undefined> {
  const [row] = await ctx.db
    .select({ stream: logStreams, project: projects, placement: { shard: placements.shard, pn: placements.pn } })
    .from(logStreams)
    .innerJoin(projects, eq(projects.id, logStreams.projectId))
    .innerJoin(placements, eq(placements.projectId, projects.id))
    .where(eq(logStreams.id, streamId))
    .limit(1);
  if (!row) return undefined;
  return { stream: row.stream, ctx: inProject(ctx, row.project, row.placement) };
}

export function streamQuery(stream: Pick<LogStream, "filter">, timeZone: string): EventQuery {
  return compileFilters(stream.filter ? { query: stream.filter } : {}, timeZone);
}

export async function openSecrets(ctx: ServiceContext, stream: Pick<LogStream, "secrets">): Promise<StreamSecrets> {
  return JSON.parse(await open(ctx.config.SECRETS_KEY, stream.secrets, SECRETS_PURPOSE)) as StreamSecrets;
}

type Collected = {
  entries: string[];
  count: number;
  firstReceivedAt: number | null;
  /** Every matching event after the start and up to here is in the batch. */
  end: FeedPosition;
  /** More may follow `end` already. */
  more: boolean;
};

const positionOf = (row: ListRow): FeedPosition => ({ receivedAt: row.receivedAt, id: row.id });

/**
 * The next batch after `start`: settled events matching the stream's filter, up to the
 * destination's count and byte limits, and no further than `until` (a failed batch's end, so its
 * retry is the same batch).
 */
async function collectBatch(
  ctx: ProjectContext,
  stream: LogStream,
  query: EventQuery,
  start: FeedPosition,
  until: FeedPosition | undefined,
  now: number,
): Promise<Collected> {
  const destination = stream.destinationType;
  const limits = BATCH_LIMITS[destination];
  const d = stream.destination as StoredDestination;
  const project: Project = { id: ctx.project.id, name: ctx.project.name };
  const settleMs = ctx.config.FEED_SETTLE_SECONDS * 1000;
  const entries: string[] = [];
  let bytes = 0;
  let firstReceivedAt: number | null = null;
  let end = start;
  for (let scans = 0; scans < MAX_SCANS_PER_BATCH; scans++) {
    const want = Math.min(FEED_PAGE_ROWS, limits.events - entries.length);
    const page = await readFeed(ctx, query, { after: end, limit: want }, now, settleMs);
    for (const row of page.rows) {
      const at = positionOf(row);
      if (until && feedBefore(until, at))
        return { entries, count: entries.length, firstReceivedAt, end: until, more: true };
      const entry = entryOf(d, toStoredEvent(row), stream.format, project);
      const size = entryBytes(entry);
      if (entries.length > 0 && bytes + size > limits.bytes)
        return { entries, count: entries.length, firstReceivedAt, end, more: true };
      entries.push(entry);
      bytes += size;
      firstReceivedAt ??= row.receivedAt;
      end = at;
    }
    if (until && !feedBefore(page.next, until))
      return { entries, count: entries.length, firstReceivedAt, end: until, more: true };
    end = page.next;
    if (!page.more) {
      // The failed batch's end is not settled yet again (a clock step back): it waits.
      return { entries, count: entries.length, firstReceivedAt, end, more: false };
    }
    if (entries.length >= limits.events) return { entries, count: entries.length, firstReceivedAt, end, more: true };
  }
  return { entries, count: entries.length, firstReceivedAt, end, more: true };
}

type SendResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; permanent: boolean; retryAfter: string | null };

/** Sends one batch: the outbound URL policy first (with DNS), no redirects, only 2xx counts. */
export async function sendBatch(
  d: StoredDestination,
  secrets: StreamSecrets,
  batch: Batch,
  outbound: Outbound,
  now: number,
): Promise<SendResult> {
  const { url, init } = await batchRequest(d, secrets, batch, now);
  const check = await checkDestination(url, outbound.allowPrivate, outbound.resolve);
  if (!check.ok)
    return {
      ok: false,
      status: null,
      error: `not sent: ${check.reason}`,
      permanent: check.permanent,
      retryAfter: null,
    };
  try {
    const response = await outbound.fetch(
      new Request(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
    );
    const text = (await response.text().catch(() => "")).slice(0, 300);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    const error =
      response.status >= 300 && response.status < 400
        ? `answered ${response.status}: redirects are not followed`
        : `answered HTTP ${response.status}${text ? `: ${text}` : ""}`;
    return {
      ok: false,
      status: response.status,
      error,
      permanent: false,
      retryAfter: response.headers.get("Retry-After"),
    };
  } catch (e) {
    const error =
      e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")
        ? `timed out after ${REQUEST_TIMEOUT_MS / 1000} s`
        : e instanceof Error
          ? e.message
          : String(e);
    return { ok: false, status: null, error, permanent: false, retryAfter: null };
  }
}

async function disable(ctx: ServiceContext, stream: LogStream, reason: string, now: number): Promise<void> {
  await ctx.db
    .update(logStreams)
    .set({
      state: "disabled",
      disabledReason: reason,
      leaseToken: null,
      leaseUntil: null,
      nextRunAt: null,
      updatedAt: now,
    })
    .where(eq(logStreams.id, stream.id));
  await notify(
    ctx,
    {
      projectId: stream.projectId,
      type: "stream.disabled",
      title: `Log stream disabled: ${stream.name}`,
      body: reason,
      link: `/p/${stream.projectId}/settings/streams/${stream.id}`,
    },
    `${stream.id}_disabled_${now}`,
    now,
  );
}

/** Records a failed batch and when to try it again; disables the stream after three days of failures. */
async function failed(
  ctx: ServiceContext,
  stream: LogStream,
  token: string,
  batchEnd: FeedPosition,
  result: Extract<SendResult, { ok: false }>,
  now: number,
): Promise<RunOutcome> {
  const failures = stream.failures + 1;
  const failingSince = stream.failingSince ?? now;
  const delaySeconds = retryDelaySeconds(failures, result.retryAfter);
  const [recorded] = await ctx.db
    .update(logStreams)
    .set({
      retryEnd: encodeFeedCursor(batchEnd),
      failures,
      failingSince,
      lastError: result.error.slice(0, 1000),
      lastErrorAt: now,
      nextRunAt: now + delaySeconds * 1000,
      leaseToken: null,
      leaseUntil: null,
      updatedAt: now,
    })
    .where(and(eq(logStreams.id, stream.id), eq(logStreams.leaseToken, token), eq(logStreams.cursor, stream.cursor)))
    .returning();
  if (!recorded) return superseded(ctx, stream.id, token);
  if (stream.failingSince === null) {
    await notify(
      ctx,
      {
        projectId: stream.projectId,
        type: "stream.failing",
        title: `Log stream failing: ${stream.name}`,
        body: `${result.error}. Batches are retried; after 3 days of failures the stream is disabled.`,
        link: `/p/${stream.projectId}/settings/streams/${stream.id}`,
      },
      `${stream.id}_failing_${now}`,
      now,
    );
  }
  if (result.permanent) {
    await disable(ctx, recorded, `The destination is refused: ${result.error}`, now);
    return { kind: "stopped", reason: "destination refused" };
  }
  if (now - failingSince >= DISABLE_AFTER_MS) {
    await disable(ctx, recorded, `Deliveries have failed for 3 days. Last error: ${result.error}`, now);
    return { kind: "stopped", reason: "failing for 3 days" };
  }
  return { kind: "next", delaySeconds };
}

/**
 * One run of a stream: delivers batches while there are settled events and time, then says when
 * the next run is due. A run that is not due, or finds the stream paused, disabled or held by
 * another run, stops without a next message (the live message, or the sweep, carries on).
 */
export async function runStream(
  base: ServiceContext,
  streamId: string,
  outbound: Outbound,
  now = Date.now(),
): Promise<RunOutcome> {
  const loaded = await load(base, streamId);
  if (!loaded) return { kind: "stopped", reason: "no such stream" };
  const { ctx } = loaded;
  const current = loaded.stream;
  if (current.state !== "active") return { kind: "stopped", reason: `the stream is ${current.state}` };
  if (current.nextRunAt !== null && current.nextRunAt > now + DUE_SLACK_MS)
    return { kind: "stopped", reason: "not due" };
  const token = randomToken(12);
  const [claimed] = await ctx.db
    .update(logStreams)
    .set({ leaseToken: token, leaseUntil: now + LEASE_MS })
    .where(
      and(
        eq(logStreams.id, streamId),
        eq(logStreams.state, "active"),
        or(isNull(logStreams.leaseUntil), lt(logStreams.leaseUntil, now)),
      ),
    )
    .returning();
  if (!claimed) return { kind: "stopped", reason: "another run holds the stream" };
  let stream: LogStream = claimed;
  const d = stream.destination as StoredDestination;
  const secrets = await openSecrets(ctx, stream);
  const query = streamQuery(stream, ctx.project.timezone);
  const interval = ctx.config.STREAM_INTERVAL_SECONDS;
  const started = Date.now();
  for (;;) {
    const start = decodeFeedCursor(stream.cursor);
    const until = stream.retryEnd ? decodeFeedCursor(stream.retryEnd) : undefined;
    const batch = await collectBatch(ctx, stream, query, start, until, now);
    const endCursor = encodeFeedCursor(batch.end);
    if (batch.count === 0) {
      if (endCursor === stream.cursor) break;
      // Read past events the filter leaves out: the cursor moves on without a request.
      const [moved] = await ctx.db
        .update(logStreams)
        .set({ cursor: endCursor, retryEnd: null, updatedAt: now })
        .where(
          and(eq(logStreams.id, stream.id), eq(logStreams.leaseToken, token), eq(logStreams.cursor, stream.cursor)),
        )
        .returning();
      if (!moved) return superseded(ctx, stream.id, token);
      stream = moved;
    } else {
      const id = await batchId(stream.id, stream.generation, stream.cursor, endCursor);
      const result = await sendBatch(
        d,
        secrets,
        {
          id,
          streamId: stream.id,
          count: batch.count,
          firstReceivedAt: batch.firstReceivedAt ?? now,
          body: bodyOf(d, batch.entries),
        },
        outbound,
        now,
      );
      if (!result.ok) return failed(ctx, stream, token, batch.end, result, now);
      // The cursor moves only now, to the batch's end, in the write that records the success; a
      // replay in the meantime (another cursor) wins.
      const retryEnd = until && feedBefore(batch.end, until) ? stream.retryEnd : null;
      const [advanced] = await ctx.db
        .update(logStreams)
        .set({
          cursor: endCursor,
          retryEnd,
          failures: 0,
          failingSince: null,
          lastDeliveredAt: now,
          deliveredEvents: stream.deliveredEvents + batch.count,
          updatedAt: now,
        })
        .where(
          and(eq(logStreams.id, stream.id), eq(logStreams.leaseToken, token), eq(logStreams.cursor, stream.cursor)),
        )
        .returning();
      if (!advanced) return superseded(ctx, stream.id, token);
      stream = advanced;
    }
    if (!batch.more) break;
    if (Date.now() - started >= RUN_BUDGET_MS) return release(ctx, stream, token, now, 0);
  }
  return release(ctx, stream, token, now, interval);
}

/**
 * A replay moved the cursor while this run held the stream: nothing of this run was recorded. The
 * lease is given back at once and the stream runs again from its new position.
 */
async function superseded(ctx: ServiceContext, streamId: string, token: string): Promise<RunOutcome> {
  await ctx.db
    .update(logStreams)
    .set({ leaseToken: null, leaseUntil: null })
    .where(and(eq(logStreams.id, streamId), eq(logStreams.leaseToken, token)));
  return { kind: "next", delaySeconds: 0 };
}

async function release(
  ctx: ServiceContext,
  stream: LogStream,
  token: string,
  now: number,
  delaySeconds: number,
): Promise<RunOutcome> {
  const [released] = await ctx.db
    .update(logStreams)
    .set({ leaseToken: null, leaseUntil: null, nextRunAt: now + delaySeconds * 1000 })
    .where(and(eq(logStreams.id, stream.id), eq(logStreams.leaseToken, token)))
    .returning({ id: logStreams.id });
  if (!released) return { kind: "stopped", reason: "the stream changed during the run" };
  return { kind: "next", delaySeconds };
}

/** The event a test batch carries. */
export function testEvent(streamId: string, now: number): StoredEvent {
  const at = new Date(now).toISOString();
  return {
    id: `stream_test_${randomToken(9).replace(/[^A-Za-z0-9]/g, "x")}`,
    occurred_at: at,
    received_at: at,
    category: "configuration",
    type: "stream.test",
    action: "test",
    status: "success",
    summary: "A test batch from Trailbook: this log stream reaches its destination.",
    source: "system",
    actor: { type: "system", id: "streams", name: "Trailbook streams" },
    entity: { type: "log_stream", id: streamId },
    hash: "0".repeat(64),
  };
}

/** Sends one synthetic event to the stream's destination in its format; the cursor is not touched. */
export async function testStream(
  base: ServiceContext,
  streamId: string,
  outbound: Outbound,
  now = Date.now(),
): Promise<RunOutcome> {
  const loaded = await load(base, streamId);
  if (!loaded) return { kind: "stopped", reason: "no such stream" };
  const { ctx, stream } = loaded;
  const d = stream.destination as StoredDestination;
  const project: Project = { id: ctx.project.id, name: ctx.project.name };
  const entry = entryOf(d, testEvent(stream.id, now), stream.format, project);
  const id = `tbt_${randomToken(12)}`;
  const result = await sendBatch(
    d,
    await openSecrets(ctx, stream),
    { id, streamId: stream.id, count: 1, firstReceivedAt: now, body: bodyOf(d, [entry]) },
    outbound,
    now,
  );
  const summary = result.ok
    ? `Delivered: ${destinationUrl(d)} answered HTTP ${result.status}.`
    : `Failed: ${result.error}`;
  await ctx.db
    .update(logStreams)
    .set({ lastTestAt: now, lastTestResult: summary.slice(0, 1000) })
    .where(eq(logStreams.id, stream.id));
  return { kind: "stopped", reason: summary };
}
