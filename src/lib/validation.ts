import type { z } from "zod";
import { formatPath, ValidationError } from "./errors";

const WHOLE: Record<string, string> = { json: "(body)", form: "(form)", query: "(query)", param: "(path)" };

/**
 * A zod failure as our ValidationError, so its raw shape never reaches a client (CONVENTIONS 5).
 * `target` is the validator's target; an issue about the whole input is reported as `(body)`,
 * `(query)` and so on.
 */
export function toValidationError(error: z.ZodError, target?: string): ValidationError {
  const errors = error.issues.map((issue) => {
    const path = formatPath(issue.path) || WHOLE[target ?? "json"] || target || "(body)";
    let message = issue.message;
    if (issue.code === "unrecognized_keys")
      message = `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    return { path, message };
  });
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return new ValidationError(first ? `${first.path}: ${first.message}${more}` : "The request is invalid.", errors);
}
