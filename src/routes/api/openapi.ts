import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { KeyEnv } from "../../env";
import { toValidationError } from "../../lib/validation";

/** A resource sub-app whose zod failures become our 422 problem (never zod's raw shape). */
export function apiRouter<E extends { Bindings: Env } = KeyEnv>() {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw toValidationError(result.error, result.target);
    },
  });
}

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
    request_id: z.string().nullable(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

/** A JSON response of an OpenAPI route. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A problem+json response of an OpenAPI route. */
export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

/** The error answers every authenticated route can give. */
export const authProblems = {
  401: problem("No API key, or an unknown or revoked one."),
  403: problem("The key's scope does not allow this request."),
  429: problem("Rate limited; see Retry-After."),
} as const;

export const bodyProblems = {
  400: problem("The body is not valid JSON."),
  413: problem("The body or an event is too large."),
  415: problem("The body is not application/json."),
  422: problem("The body is invalid; `errors` names each field."),
} as const;

export const notFoundProblem = { 404: problem("No such resource in this project.") } as const;
export const conflictProblem = { 409: problem("The id exists with different content; nothing was stored.") } as const;
export const invalidQueryProblem = { 422: problem("A filter is invalid; `errors` names it.") } as const;

export const bearerAuth = [{ bearerAuth: [] }];

/** `limit` and `cursor` of every list endpoint, which all page the same way as `GET /v1/events`. */
export const PageParams = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Rows per page: 1–200, default 50."),
  cursor: z.string().max(500).optional().describe("`next_cursor` of the previous page, unchanged."),
});

/** A page of a list endpoint: newest first; `next_cursor` is null on the last page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null when there is none."),
  });

export const listQueryProblem = {
  422: problem("A filter, `limit` or `cursor` is invalid; `errors` names it."),
} as const;
