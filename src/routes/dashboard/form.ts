import type { Context, Env } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { AppError } from "../../lib/errors";
import { toValidationError } from "../../lib/validation";

/**
 * Validates a dashboard form with zod; an invalid form is answered by `onInvalid` with a readable
 * message (usually the same page re-rendered with the error), never zod's raw shape. (Hono's own
 * `validator` keeps the handler's form type exact, which @hono/zod-validator's hook typing loses.)
 */
export function formValidator<T extends z.ZodType, E extends Env>(
  schema: T,
  onInvalid: (c: Context<E>, message: string, fields: Record<string, string>) => Response | Promise<Response>,
) {
  return validator("form", async (value, c: Context<E>) => {
    const result = await schema.safeParseAsync(value);
    if (result.success) return result.data as z.output<T>;
    const error = toValidationError(result.error, "form");
    const fields = Object.fromEntries(error.errors.map((e) => [e.path, e.message]));
    const message = error.errors
      .map((e) => (e.path === "(form)" ? e.message : `${e.path.replace(/_/g, " ")}: ${e.message}`))
      .join("; ");
    return onInvalid(c, message, fields);
  });
}

export type Attempt<T> = { value?: T; error?: string; status: 200 | 403 | 404 | 409 | 422 };

/**
 * Runs a dashboard change; a refusal the user can act on (an AppError below 500) comes back as a
 * message for the page instead of an error page. Anything else is a real error and is thrown.
 */
export async function attempt<T>(run: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { value: await run(), status: 200 };
  } catch (error) {
    if (error instanceof AppError && error.status < 500)
      return { error: error.message, status: error.status as Attempt<T>["status"] };
    throw error;
  }
}
