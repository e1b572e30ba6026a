import { and, count, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { type LogStream, logStreams, STREAM_FORMATS, type StreamFormat, type StreamState } from "../../db/schema";
import { ConflictError, InvariantError, NotFoundError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { afterCursor, type Page, type Paged, toPage } from "../../lib/keyset";
import { seal } from "../../lib/secret-box";
import { parseTimeBound } from "../../lib/time";
import { storableText } from "../../lib/validation";
import { actorId, type ProjectContext } from "../context";
import {
  decodeFeedCursor,
  encodeFeedCursor,
  type FeedPosition,
  feedBacklog,
  feedBefore,
  feedPositionAt,
} from "../events/feed";
import { checkQuerySize } from "../events/query";
import { logChange } from "../ingest/own-events";
import { generateWebhookSecret } from "../webhooks/signature";
import {
  checkDestinationUrls,
  DestinationInput,
  destinationUrl,
  REQUIRED_SECRET,
  type StoredDestination,
  type StreamSecrets,
  splitDestination,
} from "./destinations";
import { enqueueStreamRun } from "./messages";
import { openSecrets, SECRETS_PURPOSE, streamQuery } from "./run";

// Log streams of a project (README "Log streams"): at most five, each a destination, a filter in
// the search syntax, a format and a state. Every change is a `configuration` event.

export const MAX_STREAMS = 5;
/** A paused or disabled stream resumes with at most this much backlog; older events are skipped. */
export const BACKLOG_KEEP_MS = 7 * 24 * 3600_000;
/** Lag is counted up to this many events (README "Log streams"). */
export const LAG_COUNT_CAP = 10_000;

const Name = storableText().trim().min(1, "is required").max(100);
const Filter = storableText()
  .max(2000)
  .transform((f) => f.trim())
  .describe("Search syntax, e.g. `category:auth,configuration -source:api`; empty streams every event.");

export const StreamInput = z
  .strictObject({
    name: Name,
    destination: DestinationInput,
    filter: Filter.default(""),
    format: z.enum(STREAM_FORMATS).default("trailbook").describe("`trailbook` (our JSON) or `ocsf` (OCSF 1.3.0)."),
    state: z.enum(["active", "paused"]).default("active"),
  })
  .meta({ id: "LogStreamInput" });
export type StreamInput = z.output<typeof StreamInput>;

export const StreamUpdate = z
  .strictObject({
    name: Name.optional(),
    destination: DestinationInput.optional().describe(
      "The whole destination; its secrets may be left out to keep the current ones (same type).",
    ),
    filter: Filter.optional(),
    format: z.enum(STREAM_FORMATS).optional(),
    state: z
      .enum(["active", "paused"])
      .optional()
      .describe("Pause or resume (also a disabled stream); `disabled` is set by Trailbook after 3 days of failures."),
  })
  .meta({ id: "LogStreamUpdate" });
export type StreamUpdate = z.output<typeof StreamUpdate>;

export const ReplayInput = z
  .strictObject({
    from: z.string().max(64).optional().describe("Deliver again every event received from this time on."),
    cursor: z.string().max(500).optional().describe("Or from a position of the events feed (`next_cursor`)."),
  })
  .meta({ id: "LogStreamReplay" });
export type ReplayInput = z.output<typeof ReplayInput>;

export type StreamHealth = {
  last_delivered_at: string | null;
  delivered_events: number;
  lag_events: number;
  lag_seconds: number;
  last_error: string | null;
  last_error_at: string | null;
  failing_since: string | null;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A stream as the API shows it (never its secrets). */
export function streamView(s: LogStream, health: StreamHealth) {
  const d = s.destination as StoredDestination;
  return {
    id: s.id,
    name: s.name,
    destination: { ...d, endpoint_url: destinationUrl(d) },
    filter: s.filter,
    format: s.format,
    state: s.state,
    disabled_reason: s.disabledReason,
    cursor: s.cursor,
    last_test_at: iso(s.lastTestAt),
    last_test_result: s.lastTestResult,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    health,
  };
}

/** Delivery health: last success, how far behind (events and seconds, counting unsettled ones), last error. */
export async function streamHealth(ctx: ProjectContext, s: LogStream, now = Date.now()): Promise<StreamHealth> {
  const backlog = await feedBacklog(
    ctx,
    streamQuery(s, ctx.project.timezone),
    decodeFeedCursor(s.cursor),
    LAG_COUNT_CAP,
  );
  return {
    last_delivered_at: iso(s.lastDeliveredAt),
    delivered_events: s.deliveredEvents,
    lag_events: backlog.events,
    lag_seconds:
      backlog.oldestReceivedAt === null ? 0 : Math.max(0, Math.round((now - backlog.oldestReceivedAt) / 1000)),
    last_error: s.lastError,
    last_error_at: iso(s.lastErrorAt),
    failing_since: iso(s.failingSince),
  };
}

function allowPrivate(ctx: ProjectContext): boolean {
  return ctx.config.ENVIRONMENT !== "production";
}

/** The filter must compile (and fit one statement) in the project's timezone. */
function checkFilter(ctx: ProjectContext, filter: string): void {
  try {
    checkQuerySize(streamQuery({ filter }, ctx.project.timezone));
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`filter: ${error.message.replace(/^query: /, "")}`, [
        { path: "filter", message: error.message.replace(/^query: /, "") },
      ]);
    throw error;
  }
}

function missingSecret(type: StoredDestination["type"]): ValidationError {
  const field = `destination.${REQUIRED_SECRET[type]}`;
  return new ValidationError(`${field} is required`, [{ path: field, message: "is required" }]);
}

export async function listStreams(ctx: ProjectContext): Promise<LogStream[]> {
  return ctx.db
    .select()
    .from(logStreams)
    .where(eq(logStreams.projectId, ctx.project.id))
    .orderBy(desc(logStreams.createdAt), desc(logStreams.id));
}

export async function pageStreams(ctx: ProjectContext, page: Page): Promise<Paged<LogStream>> {
  const rows = await ctx.db
    .select()
    .from(logStreams)
    .where(and(eq(logStreams.projectId, ctx.project.id), afterCursor(logStreams.createdAt, logStreams.id, page.cursor)))
    .orderBy(desc(logStreams.createdAt), desc(logStreams.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (s) => [s.createdAt, s.id]);
}

export async function getStream(ctx: ProjectContext, id: string): Promise<LogStream> {
  const [stream] = await ctx.db
    .select()
    .from(logStreams)
    .where(and(eq(logStreams.projectId, ctx.project.id), eq(logStreams.id, id)))
    .limit(1);
  if (!stream) throw new NotFoundError("No log stream with this id in this project.");
  return stream;
}

/** What a configuration event says about a stream (its settings, never its secrets). */
function described(s: Pick<LogStream, "name" | "destination" | "filter" | "format" | "state">) {
  const d = s.destination as StoredDestination;
  return {
    name: s.name,
    destination: `${d.type} ${destinationUrl(d)}`,
    filter: s.filter,
    format: s.format,
    state: s.state,
  };
}

async function log(
  ctx: ProjectContext,
  type: string,
  summary: string,
  stream: Pick<LogStream, "id" | "name">,
  changes?: Record<string, [unknown, unknown]>,
) {
  await logChange(ctx, {
    type,
    summary,
    entity: { type: "log_stream", id: stream.id, name: stream.name },
    ...(changes && Object.keys(changes).length > 0 && { changes }),
  });
}

/** Creates a stream; for an HTTPS destination the answer carries its signing secret, this once. */
export async function createStream(
  ctx: ProjectContext,
  input: StreamInput,
  now = Date.now(),
): Promise<{ stream: LogStream; secret?: string }> {
  const { destination, secrets } = splitDestination(input.destination);
  checkDestinationUrls(destination, allowPrivate(ctx));
  checkFilter(ctx, input.filter);
  let shown: string | undefined;
  if (destination.type === "https") {
    shown = generateWebhookSecret();
    secrets.signing_secret = shown;
  }
  if (!secrets[REQUIRED_SECRET[destination.type]]) throw missingSecret(destination.type);
  const [existing] = await ctx.db
    .select({ n: count() })
    .from(logStreams)
    .where(eq(logStreams.projectId, ctx.project.id));
  if ((existing?.n ?? 0) >= MAX_STREAMS)
    throw new ConflictError(`A project has at most ${MAX_STREAMS} log streams; delete one first.`);
  const state: StreamState = input.state;
  const [stream] = await ctx.db
    .insert(logStreams)
    .values({
      id: newId("lst", now),
      projectId: ctx.project.id,
      name: input.name,
      destinationType: destination.type,
      destination,
      secrets: await seal(ctx.config.SECRETS_KEY, JSON.stringify(secrets), SECRETS_PURPOSE),
      filter: input.filter,
      format: input.format,
      state,
      // Events received from now on; a replay delivers older ones.
      cursor: encodeFeedCursor(feedPositionAt(now)),
      nextRunAt: state === "active" ? now : null,
      pausedAt: state === "paused" ? now : null,
      createdBy: actorId(ctx.actor),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!stream) throw new InvariantError("insert into log_streams returned no row");
  await log(
    ctx,
    "log_stream.created",
    `Log stream added: ${stream.name}`,
    stream,
    Object.fromEntries(Object.entries(described(stream)).map(([k, v]) => [k, [null, v]])),
  );
  if (state === "active") await enqueueStreamRun(ctx, stream.id);
  return { stream, ...(shown && { secret: shown }) };
}

/** Where a resumed stream starts: its cursor, unless that is more than 7 days back (and no replay since the pause asked for it). */
function resumePosition(s: LogStream, now: number): FeedPosition {
  const at = decodeFeedCursor(s.cursor);
  const floor = feedPositionAt(now - BACKLOG_KEEP_MS);
  const replayedSincePause = s.replayedAt !== null && s.pausedAt !== null && s.replayedAt > s.pausedAt;
  return !replayedSincePause && feedBefore(at, floor) ? floor : at;
}

export async function updateStream(
  ctx: ProjectContext,
  id: string,
  update: StreamUpdate,
  now = Date.now(),
): Promise<{ stream: LogStream; secret?: string }> {
  const current = await getStream(ctx, id);
  const next: Partial<LogStream> = {};
  let shown: string | undefined;
  if (update.name !== undefined && update.name !== current.name) next.name = update.name;
  if (update.filter !== undefined && update.filter !== current.filter) {
    checkFilter(ctx, update.filter);
    next.filter = update.filter;
  }
  if (update.format !== undefined && update.format !== current.format) next.format = update.format as StreamFormat;
  if (update.destination !== undefined) {
    const { destination, secrets } = splitDestination(update.destination);
    checkDestinationUrls(destination, allowPrivate(ctx));
    const kept = destination.type === current.destinationType ? await openSecrets(ctx, current) : {};
    const merged: StreamSecrets = { ...kept, ...secrets };
    if (destination.type === "https" && !merged.signing_secret) {
      shown = generateWebhookSecret();
      merged.signing_secret = shown;
    }
    if (!merged[REQUIRED_SECRET[destination.type]]) throw missingSecret(destination.type);
    const secretsChanged = Object.keys(secrets).length > 0 || shown !== undefined;
    if (JSON.stringify(destination) !== JSON.stringify(current.destination) || secretsChanged) {
      next.destinationType = destination.type;
      next.destination = destination;
      next.secrets = await seal(ctx.config.SECRETS_KEY, JSON.stringify(merged), SECRETS_PURPOSE);
    }
  }
  let resumed = false;
  if (update.state !== undefined && update.state !== current.state) {
    next.state = update.state;
    if (update.state === "paused") {
      next.pausedAt = now;
      next.nextRunAt = null;
    } else {
      resumed = true;
      next.cursor = encodeFeedCursor(resumePosition(current, now));
      next.retryEnd = next.cursor === current.cursor ? current.retryEnd : null;
      next.failures = 0;
      next.failingSince = null;
      next.disabledReason = null;
      next.nextRunAt = now;
    }
  }
  if (Object.keys(next).length === 0) return { stream: current };
  // A failed batch is retried as it was only while nothing that shapes it changed.
  if (next.filter !== undefined || next.format !== undefined || next.destination !== undefined) next.retryEnd = null;
  const [updated] = await ctx.db
    .update(logStreams)
    .set({ ...next, updatedAt: now })
    .where(and(eq(logStreams.projectId, ctx.project.id), eq(logStreams.id, current.id)))
    .returning();
  if (!updated) throw new NotFoundError("No log stream with this id in this project.");
  const before = described(current);
  const after = described(updated);
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[])
    if (before[key] !== after[key]) changes[key] = [before[key], after[key]];
  if (next.secrets !== undefined && next.destination !== undefined && changes.destination === undefined)
    changes.destination_credentials = ["(previous)", "(replaced)"];
  if (resumed && next.cursor !== current.cursor) changes.cursor = [current.cursor, next.cursor];
  const verb = resumed ? "resumed" : update.state === "paused" && next.state ? "paused" : "updated";
  await log(ctx, `log_stream.${verb}`, `Log stream ${verb}: ${updated.name}`, updated, changes);
  if (resumed || (updated.state === "active" && next.destination !== undefined))
    await enqueueStreamRun(ctx, updated.id);
  return { stream: updated, ...(shown && { secret: shown }) };
}

export async function deleteStream(ctx: ProjectContext, id: string): Promise<void> {
  const current = await getStream(ctx, id);
  await ctx.db.delete(logStreams).where(and(eq(logStreams.projectId, ctx.project.id), eq(logStreams.id, current.id)));
  await log(
    ctx,
    "log_stream.deleted",
    `Log stream removed: ${current.name}`,
    current,
    Object.fromEntries(Object.entries(described(current)).map(([k, v]) => [k, [v, null]])),
  );
}

/**
 * Delivers again from a time (events received from then on) or a feed cursor: the cursor moves
 * there and the replay's batches get new ids. A paused stream keeps the position for its resume.
 */
export async function replayStream(
  ctx: ProjectContext,
  id: string,
  input: ReplayInput,
  now = Date.now(),
): Promise<LogStream> {
  const current = await getStream(ctx, id);
  if ((input.from === undefined) === (input.cursor === undefined))
    throw new ValidationError("Give either from (a time) or cursor (a feed position).", [
      { path: "(body)", message: "give either from or cursor" },
    ]);
  let position: FeedPosition;
  if (input.from !== undefined) {
    const ms = parseTimeBound(input.from, ctx.project.timezone, "start");
    if (ms === null)
      throw new ValidationError(`from: "${input.from}" is not a date or time`, [
        { path: "from", message: "not a date or time" },
      ]);
    position = feedPositionAt(ms);
  } else position = decodeFeedCursor(input.cursor ?? "");
  const cursor = encodeFeedCursor(position);
  const [updated] = await ctx.db
    .update(logStreams)
    .set({
      cursor,
      generation: current.generation + 1,
      retryEnd: null,
      failures: 0,
      replayedAt: now,
      ...(current.state === "active" && { nextRunAt: now }),
      updatedAt: now,
    })
    .where(and(eq(logStreams.projectId, ctx.project.id), eq(logStreams.id, current.id)))
    .returning();
  if (!updated) throw new NotFoundError("No log stream with this id in this project.");
  await log(ctx, "log_stream.replayed", `Log stream replayed: ${updated.name}`, updated, {
    cursor: [current.cursor, cursor],
  });
  if (updated.state === "active") await enqueueStreamRun(ctx, updated.id);
  return updated;
}

/** Queues a test batch (one synthetic event); its result shows on the stream. */
export async function requestTest(ctx: ProjectContext, id: string): Promise<LogStream> {
  const stream = await getStream(ctx, id);
  await enqueueStreamRun(ctx, stream.id, { test: true });
  return stream;
}
