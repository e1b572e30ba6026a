import type { z } from "zod";
import { formatPath, ValidationError } from "./errors";

/** A zod failure as our ValidationError, so its raw shape never reaches a client (CONVENTIONS 5). */
export function toValidationError(error: z.ZodError, where?: string): ValidationError {
  const errors = error.issues.map((issue) => {
    const path = formatPath(issue.path) || where || "(body)";
    let message = issue.message;
    if (issue.code === "unrecognized_keys") message = `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    return { path, message };
  });
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return new ValidationError(first ? `${first.path}: ${first.message}${more}` : "The request is invalid.", errors);
}
