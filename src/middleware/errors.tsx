import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ErrorFragment, ErrorPage } from "../../views/pages/ErrorPage";
import type { AppEnv } from "../env";
import { AppError, BadRequestError, NotFoundError } from "../lib/errors";

/** RFC 9457 problem details, with the request id so a user can quote it to support. */
export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const body = {
    type: `/problems/${error.slug}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    errors: error.errors,
    request_id: c.get("requestId") ?? null,
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      ...error.headers,
      "Content-Type": "application/problem+json",
      "X-Request-ID": c.get("requestId") ?? "",
    },
  });
}

function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  // Hono's own validator reports an unparsable JSON body this way.
  if (error instanceof HTTPException && error.status === 400)
    return new BadRequestError(`The body is not valid JSON: ${error.message}`);
  return undefined;
}

/** Machine routes answer problem+json; everything else is the dashboard and answers HTML. */
function isApi(c: Context): boolean {
  const path = new URL(c.req.url).pathname;
  return (
    path.startsWith("/v1/") ||
    path === "/v1" ||
    path.startsWith("/healthz") ||
    path.startsWith("/audit_logs") ||
    path.startsWith("/publisher/")
  );
}

function htmlResponse(c: Context<AppEnv>, error: AppError): Response {
  const requestId = c.get("requestId");
  const headers = { ...error.headers, "Content-Type": "text/html; charset=utf-8" };
  const body = c.req.header("HX-Request")
    ? String(<ErrorFragment message={error.message} />)
    : `<!DOCTYPE html>${String(<ErrorPage status={error.status} title={error.title} message={error.message} requestId={requestId} nonce={c.get("secureHeadersNonce" as never)} />)}`;
  return new Response(body, { status: error.status, headers });
}

function respond(c: Context<AppEnv>, error: AppError): Response {
  return isApi(c) ? problemResponse(c, error) : htmlResponse(c, error);
}

export function onError(error: unknown, c: Context<AppEnv>): Response {
  const known = asAppError(error);
  if (known) return respond(c, known);
  console.error(`[${c.get("requestId")}] unhandled error`, error);
  return respond(
    c,
    new AppError(
      500,
      "internal",
      "Internal error",
      "Something went wrong on our side; quote the request id to support.",
    ),
  );
}

export function notFound(c: Context<AppEnv>): Response {
  const path = new URL(c.req.url).pathname;
  return respond(
    c,
    new NotFoundError(isApi(c) ? `No route for ${c.req.method} ${path}.` : "There is no page at this address."),
  );
}
