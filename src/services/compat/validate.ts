import { AppError, ValidationError } from "../../lib/errors";
import { toValidationError } from "../../lib/validation";
import { EventInput } from "../events/schema";

/**
 * Where a Trailbook event field came from in a compatible API's body: `[ours, theirs]` pairs,
 * most specific first, so an error names the field the client actually sent.
 */
export type FieldNames = readonly (readonly [string, string])[];

/** `events[2].entity.type` → `events[2].target.type` (the batch prefix is kept). */
export function theirPath(path: string, names: FieldNames): string {
  const [, prefix = "", rest = path] = /^(events\[\d+\]\.)?(.*)$/s.exec(path) ?? [];
  for (const [ours, theirs] of names) {
    if (rest === ours || rest.startsWith(`${ours}.`) || rest.startsWith(`${ours}[`))
      return prefix + theirs + rest.slice(ours.length);
  }
  return path;
}

/** The same error with its field paths, and their mentions in its detail, in the compatible API's terms. */
export function inTheirTerms(error: unknown, names: FieldNames): unknown {
  if (!(error instanceof AppError) || error.errors.length === 0) return error;
  let detail = error.message;
  const errors = error.errors.map(({ path, message }) => {
    const theirs = theirPath(path, names);
    detail = detail.replace(path, theirs);
    return { path: theirs, message };
  });
  return new AppError(error.status, error.slug, error.title, detail, errors, error.headers);
}

/**
 * A compatible API's event, mapped to ours, through the one event schema every source uses (the
 * same rules as `POST /v1/events`); `at` is its place in a bulk body (`events[3]`) or "".
 */
export function asEventInput(mapped: Record<string, unknown>, names: FieldNames, at = ""): EventInput {
  const parsed = EventInput.safeParse(mapped);
  if (parsed.success) return parsed.data;
  const error = toValidationError(parsed.error);
  const prefix = at ? `${at}.` : "";
  const errors = error.errors.map(({ path, message }) => ({ path: theirPath(prefix + path, names), message }));
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  throw new ValidationError(first ? `${first.path}: ${first.message}${more}` : error.message, errors);
}
