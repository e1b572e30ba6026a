import { type Context, Hono } from "hono";
import type { KeyEnv } from "../../env";
import { sha256Hex } from "../../lib/crypto";
import { AppError, ConflictError, NotFoundError, ValidationError } from "../../lib/errors";
import { apiKeyAuth, requireScope } from "../../middleware/api-auth";
import { jsonBody } from "../../middleware/json-body";
import { inTheirTerms } from "../../services/compat/validate";
import { fromWorkos, WORKOS_FIELDS, WorkosEventBody, WorkosExportBody } from "../../services/compat/workos";
import { exportStatus, getExport, requestExport } from "../../services/exports/request";
import { signedExportUrl } from "../../services/exports/signed-link";
import { recordEvents } from "../../services/ingest/record";
import { requestSignature, SIGNATURE_HEADER } from "../../services/integrity/client-signatures";
import { readBody } from "./body";

// WorkOS Audit Logs compatibility: the SDK's paths, bodies and error shapes ({message, code, errors}).

type C = Context<KeyEnv>;

function workosError(c: C, error: AppError): Response {
  const status = error.status === 409 ? 400 : error.status === 413 || error.status === 415 ? 400 : error.status;
  const body = {
    message: error.message,
    code: error.status === 409 ? "idempotency_key_reused" : error.slug.replace(/-/g, "_"),
    errors: error.errors.map((e) => ({ field: e.path, code: e.message })),
  };
  return c.json(body, status as 400, { ...error.headers, "X-Request-ID": c.var.requestId });
}

const invalid = (error: ValidationError) => new ValidationError("Validation failed", error.errors);

function exportView(_c: C, row: Awaited<ReturnType<typeof getExport>>, url: string | null) {
  if (!row) throw new NotFoundError("Audit log export not found.");
  const status = exportStatus(row.row, row.task);
  return {
    object: "audit_log_export",
    id: row.row.id,
    state: status === "done" ? "ready" : status === "failed" || status === "expired" ? "error" : "pending",
    url,
    created_at: new Date(row.row.createdAt).toISOString(),
    updated_at: new Date(row.task.updatedAt).toISOString(),
  };
}

export const workosApi = new Hono<KeyEnv>()
  .onError((error, c) => {
    if (error instanceof AppError) return workosError(c, error);
    console.error(`[${c.var.requestId}] workos compat error`, error);
    return c.json({ message: "Internal error", code: "internal_error" }, 500, { "X-Request-ID": c.var.requestId });
  })
  .use(apiKeyAuth)
  .post("/events", requireScope("ingest"), jsonBody(1024 * 1024), async (c) => {
    const body = await readBody(c, WorkosEventBody, invalid);
    // The SDK sends an Idempotency-Key and retries with it: the key names the event, so a retry is
    // answered like the first attempt and stores nothing new.
    const key = c.req.header("Idempotency-Key");
    const id = key ? `wos_${(await sha256Hex(`${c.var.ctx.project.id}:${key}`)).slice(0, 40)}` : undefined;
    const event = fromWorkos(body, id ?? `wos_${crypto.randomUUID()}`);
    const signature = await requestSignature(c.var.ctx, c.req.header(SIGNATURE_HEADER), await c.req.arrayBuffer());
    try {
      await recordEvents(c.var.ctx, [event], { batch: false, signature });
    } catch (error) {
      if (error instanceof ConflictError)
        throw new ConflictError("This Idempotency-Key was already used for a different event.");
      throw inTheirTerms(error, WORKOS_FIELDS);
    }
    return c.json({ success: true }, 201);
  })
  .post("/exports", requireScope("read"), jsonBody(64 * 1024), async (c) => {
    const body = await readBody(c, WorkosExportBody, invalid);
    const filters: Record<string, string> = {
      organization_id: body.organization_id,
      from: body.range_start,
      to: body.range_end,
    };
    if (body.actions?.length) filters.type = body.actions.join(",");
    if (body.actor_ids?.length) filters.actor_id = body.actor_ids.join(",");
    if (body.targets?.length) filters.entity_type = body.targets.join(",");
    if (body.actor_names?.length)
      filters.query = `actor:"${body.actor_names.map((n) => n.replace(/[\\"]/g, "\\$&")).join(",")}"`;
    const { row, task } = await requestExport(c.var.ctx, { format: "csv", gzip: false, filters, enqueue: true });
    return c.json(exportView(c, { row, task }, null), 201);
  })
  .get("/exports/:id", requireScope("read"), async (c) => {
    const found = await getExport(c.var.ctx, c.req.param("id"));
    const ready = found && exportStatus(found.row, found.task) === "done";
    const url = ready
      ? await signedExportUrl(new URL(c.req.url).origin, c.var.ctx.config.SECRETS_KEY, found.row.id)
      : null;
    return c.json(exportView(c, found, url), 200);
  });
