import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ErrorFragment, ErrorPage } from "../../views/pages/ErrorPage";
import type { AppEnv } from "../env";
import { AppError, BadRequestError, NotFoundError } from "../lib/errors";

// One error handler per face: the API sub-app answers problem+json, the dashboard sub-app an HTML
// page (or an htmx fragment). Each face mounts its own; nothing looks at the path to choose.

/** Errors are recognised by type: our AppErrors, and Hono's own report of an unparsable JSON body. */
function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException && error.status === 400)
    return new BadRequestError(`The body is not valid JSON: ${error.message}`);
  return undefined;
}

/** Anything else is logged with the request id and answered as a plain 500. */
function internal(c: Context<AppEnv>, error: unknown): AppError {
  console.error(`[${c.get("requestId")}] unhandled error`, error);
  return new AppError(
    500,
    "internal",
    "Internal error",
    "Something went wrong on our side; quote the request id to support.",
  );
}

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

/** The API's error handler: problem+json. */
export function problemOnError(error: unknown, c: Context<AppEnv>): Response {
  return problemResponse(c, asAppError(error) ?? internal(c, error));
}

/** The API's answer for a path under it that no route takes. */
export function problemNotFound(c: Context<AppEnv>): Response {
  return problemResponse(c, new NotFoundError(`No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
}

function pageResponse(c: Context<AppEnv>, error: AppError): Response {
  const requestId = c.get("requestId");
  const headers = { ...error.headers, "Content-Type": "text/html; charset=utf-8", "X-Request-ID": requestId ?? "" };
  const body = c.req.header("HX-Request")
    ? String(<ErrorFragment message={error.message} />)
    : String(
        <ErrorPage
          status={error.status}
          title={error.title}
          message={error.message}
          requestId={requestId}
          nonce={c.get("secureHeadersNonce" as never)}
        />,
      );
  return new Response(body, { status: error.status, headers });
}

/** The dashboard's error handler: a readable page, or a fragment for htmx. */
export function pageOnError(error: unknown, c: Context<AppEnv>): Response {
  return pageResponse(c, asAppError(error) ?? internal(c, error));
}

/** The dashboard's answer for an address with no page. */
export function pageNotFound(c: Context<AppEnv>): Response {
  return pageResponse(c, new NotFoundError("There is no page at this address."));
}
