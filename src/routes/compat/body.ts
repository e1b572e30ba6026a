import type { Context } from "hono";
import type { z } from "zod";
import { AppError, type ValidationError } from "../../lib/errors";
import { toValidationError } from "../../lib/validation";

/**
 * Reads a compatible API's JSON body with zod. Malformed JSON is a 400; an invalid body becomes
 * the error `invalid` makes of our ValidationError, in that API's own terms.
 */
export async function readBody<T extends z.ZodType>(
  c: Context,
  schema: T,
  invalid: (error: ValidationError) => AppError,
): Promise<z.output<T>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new AppError(400, "invalid_json", "Bad request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(toValidationError(parsed.error));
  return parsed.data;
}
