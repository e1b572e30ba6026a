import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
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
  if (error instanceof HTTPException && error.status === 400) return new BadRequestError(`The body is not valid JSON: ${error.message}`);
  return undefined;
}

export function onError(error: unknown, c: Context<AppEnv>): Response {
  const known = asAppError(error);
  if (known) return problemResponse(c, known);
  console.error(`[${c.get("requestId")}] unhandled error`, error);
  return problemResponse(c, new AppError(500, "internal", "Internal error", "Something went wrong on our side; quote the request id to support."));
}

export function notFound(c: Context<AppEnv>): Response {
  return problemResponse(c, new NotFoundError(`No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
}
