import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import {
  DeleteLogStream,
  LogStreamPage,
  LogStreams,
  type StreamFormValues,
  type StreamRow,
} from "../../../views/pages/Streams";
import type { LogStream } from "../../db/schema";
import type { ProjectEnv } from "../../env";
import { open, SealError, seal } from "../../lib/secret-box";
import { toValidationError } from "../../lib/validation";
import { requirePermission } from "../../middleware/session";
import { destinationUrl, type StoredDestination } from "../../services/streams/destinations";
import {
  createStream,
  deleteStream,
  getStream,
  LAG_COUNT_CAP,
  listStreams,
  MAX_STREAMS,
  replayStream,
  requestTest,
  StreamInput,
  StreamUpdate,
  streamHealth,
  updateStream,
} from "../../services/streams/manage";
import { attempt } from "./form";
import { renderPage } from "./frame";

// Settings → Log streams. Every form is Post/Redirect/Get: a change redirects to the page with a
// fixed notice; a refused one shows the same page again with the message and the input.

type C = Context<ProjectEnv>;
type Form = Record<string, string | File>;

const NOTICES: Record<string, string> = {
  created: "Log stream added. Events received from now on are delivered.",
  saved: "Saved.",
  paused: "Paused. Events keep their place and are delivered on resume (up to 7 days back).",
  resumed: "Resumed: what the stream missed is on its way.",
  test: "Test batch queued: its result shows under Last test batch in a few seconds.",
  replayed: "Replay started: events are delivered again from that point.",
  deleted: "Log stream deleted.",
};

/** The signing secret of a new HTTPS stream, carried to the page after the redirect, once. */
const SECRET_COOKIE = "__Host-tb_stream_secret";
const SECRET_PURPOSE = "stream-secret-flash";
const SECRET_COOKIE_SECONDS = 300;

async function carrySecret(c: C, streamId: string, secret: string) {
  const sealed = await seal(
    c.var.ctx.config.SECRETS_KEY,
    JSON.stringify({ streamId, secret, until: Date.now() + SECRET_COOKIE_SECONDS * 1000 }),
    SECRET_PURPOSE,
  );
  setCookie(c, SECRET_COOKIE, sealed, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Strict",
    maxAge: SECRET_COOKIE_SECONDS,
  });
}

async function takeSecret(c: C, streamId: string): Promise<string | undefined> {
  const sealed = getCookie(c, SECRET_COOKIE);
  if (!sealed) return undefined;
  deleteCookie(c, SECRET_COOKIE, { path: "/", secure: true });
  try {
    const carried = JSON.parse(await open(c.var.ctx.config.SECRETS_KEY, sealed, SECRET_PURPOSE)) as {
      streamId: string;
      secret: string;
      until: number;
    };
    return carried.streamId === streamId && carried.until > Date.now() ? carried.secret : undefined;
  } catch (error) {
    if (error instanceof SealError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function str(form: Form, key: string): string {
  const value = form[key];
  return typeof value === "string" ? value.trim() : "";
}

const optional = (form: Form, key: string) => str(form, key) || undefined;

/** The destination the form describes, for the API's schema to check. */
function destinationFrom(form: Form): Record<string, unknown> {
  const type = str(form, "type");
  switch (type) {
    case "splunk_hec":
      return {
        type,
        url: str(form, "splunk_url"),
        token: optional(form, "splunk_token"),
        index: optional(form, "splunk_index"),
        sourcetype: optional(form, "splunk_sourcetype"),
        gzip: str(form, "splunk_gzip") === "1",
      };
    case "datadog":
      return {
        type,
        site: str(form, "datadog_site") || undefined,
        api_key: optional(form, "datadog_api_key"),
        service: optional(form, "datadog_service"),
        tags: str(form, "datadog_tags"),
      };
    case "s3":
      return {
        type,
        endpoint: str(form, "s3_endpoint"),
        region: optional(form, "s3_region"),
        bucket: str(form, "s3_bucket"),
        prefix: str(form, "s3_prefix"),
        path_style: str(form, "s3_path_style") === "1",
        access_key_id: str(form, "s3_access_key_id"),
        secret_access_key: optional(form, "s3_secret_access_key"),
      };
    default:
      return {
        type,
        url: str(form, "https_url"),
        body: str(form, "https_body") || undefined,
        gzip: str(form, "https_gzip") === "1",
      };
  }
}

function formOf(body: Form) {
  return {
    name: str(body, "name"),
    destination: destinationFrom(body),
    filter: str(body, "filter"),
    format: str(body, "format") || undefined,
  };
}

/** The form's values again (never its secrets), to show a refused form as it was sent. */
function echo(body: Form): StreamFormValues {
  const values: StreamFormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== "string" || /(token|api_key|secret)/.test(key)) continue;
    values[key] = value;
  }
  for (const box of ["splunk_gzip", "s3_path_style", "https_gzip"]) values[box] = body[box] === "1";
  return values;
}

/** A stored stream as the form shows it. */
function valuesOf(s: LogStream): StreamFormValues {
  const d = s.destination as StoredDestination;
  const values: StreamFormValues = { name: s.name, type: d.type, filter: s.filter, format: s.format };
  switch (d.type) {
    case "splunk_hec":
      Object.assign(values, {
        splunk_url: d.url,
        splunk_index: d.index ?? "",
        splunk_sourcetype: d.sourcetype ?? "",
        splunk_gzip: d.gzip,
      });
      break;
    case "datadog":
      Object.assign(values, { datadog_site: d.site, datadog_service: d.service, datadog_tags: d.tags });
      break;
    case "s3":
      Object.assign(values, {
        s3_endpoint: d.endpoint,
        s3_region: d.region,
        s3_bucket: d.bucket,
        s3_prefix: d.prefix,
        s3_path_style: d.path_style,
        s3_access_key_id: d.access_key_id,
      });
      break;
    case "https":
      Object.assign(values, { https_url: d.url, https_body: d.body, https_gzip: d.gzip });
      break;
  }
  return values;
}

async function rowOf(c: C, s: LogStream): Promise<StreamRow> {
  const health = await streamHealth(c.var.ctx, s);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: s.id,
    name: s.name,
    type: s.destinationType,
    endpoint: destinationUrl(s.destination as StoredDestination),
    filter: s.filter,
    format: s.format,
    state: s.state,
    disabledReason: s.disabledReason,
    lastDeliveredAt: health.last_delivered_at,
    deliveredEvents: health.delivered_events,
    lagEvents: health.lag_events,
    lagCap: LAG_COUNT_CAP,
    lagSeconds: health.lag_seconds,
    lastError: health.last_error,
    lastErrorAt: health.last_error_at,
    failingSince: health.failing_since,
    lastTestAt: iso(s.lastTestAt),
    lastTestResult: s.lastTestResult,
    cursor: s.cursor,
  };
}

const notice = (c: C) => NOTICES[c.req.query("done") ?? ""];

async function renderList(
  c: C,
  flash: { error?: string } = {},
  values: StreamFormValues = {},
  status: 200 | 422 = 200,
) {
  const streams = await listStreams(c.var.ctx);
  const rows = await Promise.all(streams.map((s) => rowOf(c, s)));
  return renderPage(
    c,
    LogStreams,
    { streams: rows, max: MAX_STREAMS, values, success: flash.error ? undefined : notice(c), ...flash },
    status,
  );
}

async function renderStream(
  c: C,
  id: string,
  flash: { error?: string; values?: StreamFormValues; replay?: StreamFormValues } = {},
  status: 200 | 422 = 200,
) {
  const stream = await getStream(c.var.ctx, id);
  return renderPage(
    c,
    LogStreamPage,
    {
      stream: await rowOf(c, stream),
      values: flash.values ?? valuesOf(stream),
      replay: flash.replay ?? {},
      secret: flash.error ? undefined : await takeSecret(c, stream.id),
      success: flash.error ? undefined : notice(c),
      error: flash.error,
    },
    status,
  );
}

const manage = requirePermission("streams.manage");
const base = (c: C) => `/p/${c.var.project.id}/settings/streams`;

export const streamPages = new Hono<ProjectEnv>()
  .get("/settings/streams", manage, (c) => renderList(c))
  .post("/settings/streams", manage, async (c) => {
    const body = await c.req.parseBody();
    const parsed = StreamInput.safeParse({ ...formOf(body), state: "active" });
    if (!parsed.success) return renderList(c, { error: toValidationError(parsed.error).message }, echo(body), 422);
    const result = await attempt(() => createStream(c.var.ctx, parsed.data));
    if (result.error || !result.value) return renderList(c, { error: result.error ?? "" }, echo(body), 422);
    const { stream, secret } = result.value;
    if (secret) await carrySecret(c, stream.id, secret);
    return c.redirect(`${base(c)}/${stream.id}?done=created`, 303);
  })
  .get("/settings/streams/:streamId", manage, (c) => renderStream(c, c.req.param("streamId")))
  .post("/settings/streams/:streamId", manage, async (c) => {
    const id = c.req.param("streamId");
    const body = await c.req.parseBody();
    const parsed = StreamUpdate.safeParse(formOf(body));
    if (!parsed.success)
      return renderStream(c, id, { error: toValidationError(parsed.error).message, values: echo(body) }, 422);
    const result = await attempt(() => updateStream(c.var.ctx, id, parsed.data));
    if (result.error || !result.value) return renderStream(c, id, { error: result.error, values: echo(body) }, 422);
    if (result.value.secret) await carrySecret(c, id, result.value.secret);
    return c.redirect(`${base(c)}/${id}?done=saved`, 303);
  })
  .post("/settings/streams/:streamId/pause", manage, async (c) => {
    const id = c.req.param("streamId");
    await updateStream(c.var.ctx, id, { state: "paused" });
    return c.redirect(`${base(c)}/${id}?done=paused`, 303);
  })
  .post("/settings/streams/:streamId/resume", manage, async (c) => {
    const id = c.req.param("streamId");
    await updateStream(c.var.ctx, id, { state: "active" });
    return c.redirect(`${base(c)}/${id}?done=resumed`, 303);
  })
  .post("/settings/streams/:streamId/test", manage, async (c) => {
    const id = c.req.param("streamId");
    await requestTest(c.var.ctx, id);
    return c.redirect(`${base(c)}/${id}?done=test`, 303);
  })
  .post("/settings/streams/:streamId/replay", manage, async (c) => {
    const id = c.req.param("streamId");
    const body = await c.req.parseBody();
    const from = str(body, "from");
    const cursor = str(body, "cursor");
    const result = await attempt(() =>
      replayStream(c.var.ctx, id, { ...(from && { from }), ...(cursor && { cursor }) }),
    );
    if (result.error) return renderStream(c, id, { error: result.error, replay: { from, cursor } }, 422);
    return c.redirect(`${base(c)}/${id}?done=replayed`, 303);
  })
  .get("/settings/streams/:streamId/delete", manage, async (c) => {
    const stream = await getStream(c.var.ctx, c.req.param("streamId"));
    return renderPage(c, DeleteLogStream, {
      stream: { id: stream.id, name: stream.name, endpoint: destinationUrl(stream.destination as StoredDestination) },
    });
  })
  .post("/settings/streams/:streamId/delete", manage, async (c) => {
    await deleteStream(c.var.ctx, c.req.param("streamId"));
    return c.redirect(`${base(c)}?done=deleted`, 303);
  });
