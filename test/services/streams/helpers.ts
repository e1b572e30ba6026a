import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { type LogStream, logStreams } from "../../../src/db/schema";
import { EventInput } from "../../../src/services/events/schema";
import { recordEvents } from "../../../src/services/ingest/record";
import { createStream, StreamInput } from "../../../src/services/streams/manage";
import { type Outbound, type RunOutcome, runStream } from "../../../src/services/streams/run";
import { createTenant, keyContext, projectContext, systemContext, type Tenant } from "../../fixtures";

/** Past the feed's settle time (60 s): what a run at this time reads includes everything stored before. */
export const SETTLED = 61_000;

/** One request that reached a receiver: what was sent, decoded, and what it answered. */
export type Received = {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body as sent (still gzip when it was). */
  raw: Uint8Array;
  /** The body after Content-Encoding (or the gzip object, for S3) was undone. */
  text: string;
  status: number;
};

export async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/**
 * A receiver reached through an injected fetch: records every request and answers from a script
 * (then 200). `check` may look at a request first and answer instead (a signature that does not
 * verify is a 401).
 */
export function receiver(
  answers: (number | Error)[] = [],
  check?: (r: Received) => Promise<number | undefined> | number | undefined,
) {
  const received: Received[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const raw = new Uint8Array(await request.arrayBuffer());
    const headers = Object.fromEntries(request.headers);
    const gzipped = headers["content-encoding"] === "gzip" || headers["content-type"] === "application/gzip";
    const text = gzipped ? await gunzip(raw) : new TextDecoder().decode(raw);
    const r: Received = { method: request.method, url: request.url, headers, raw, text, status: 200 };
    const refused = await check?.(r);
    const next = refused ?? answers.shift() ?? 200;
    if (next instanceof Error) {
      r.status = 0;
      received.push(r);
      throw next;
    }
    r.status = next;
    received.push(r);
    return new Response(next < 300 ? '{"text":"Success","code":0}' : "unavailable", { status: next });
  };
  const outbound: Outbound = { fetch, resolve: async () => ["93.184.216.34"], allowPrivate: true };
  return { received, outbound, accepted: () => received.filter((r) => r.status >= 200 && r.status < 300) };
}

export async function newStream(
  tenant: Tenant,
  input: Record<string, unknown>,
): Promise<{ stream: LogStream; secret?: string }> {
  return createStream(await keyContext(tenant), StreamInput.parse({ name: "SIEM", ...input }));
}

export async function ingest(tenant: Tenant, events: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000)
    await recordEvents(
      projectContext(tenant.project),
      events.slice(i, i + 1000).map((e) => EventInput.parse(e)),
      {
        batch: true,
      },
    );
}

export async function streamRow(id: string): Promise<LogStream> {
  const [row] = await systemContext().db.select().from(logStreams).where(eq(logStreams.id, id));
  if (!row) throw new Error(`no stream ${id}`);
  return row;
}

/** A clock for runs: starts past the settle time of everything stored so far, moves by each run's delay. */
export function clock(start = Date.now() + SETTLED) {
  return { now: start };
}

/** Runs the stream as its messages would, until it is caught up (or `max` runs). */
export async function runUntilIdle(
  streamId: string,
  outbound: Outbound,
  time: { now: number },
  max = 50,
): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (let i = 0; i < max; i++) {
    const outcome = await runStream(systemContext(), streamId, outbound, time.now);
    outcomes.push(outcome);
    if (outcome.kind === "stopped") break;
    time.now += outcome.delaySeconds * 1000 + 1;
    // Caught up: no failed batch waiting, the next run after the stream's interval.
    const row = await streamRow(streamId);
    if (row.failures === 0 && outcome.delaySeconds === systemContext().config.STREAM_INTERVAL_SECONDS) break;
  }
  return outcomes;
}

export { createTenant };

/** The ids of the events in JSON Lines. */
export function idsOfLines(text: string): string[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id?: string; metadata?: { uid?: string } }).id ?? "");
}

export function expectSameMembers(actual: string[], expected: string[]) {
  expect(new Set(actual).size).toBe(actual.length);
  expect([...actual].sort()).toEqual([...expected].sort());
}
