/** One problem with one input field; `path` uses dots and brackets: `events[3].occurred_at`. */
export type FieldError = { path: string; message: string };

/**
 * The one error hierarchy of the app. Services throw these; the API renders them as
 * problem+json (RFC 9457), the dashboard as a readable message. Anything else is a 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, errors: FieldError[] = []) {
    super(400, "malformed-request", "Malformed request", detail, errors);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = "A valid API key is required: send `Authorization: Bearer tb_…`.") {
    super(401, "unauthorized", "Unauthorized", detail, [], { "WWW-Authenticate": 'Bearer realm="trailbook"' });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, "forbidden", "Forbidden", detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail = "No such resource in this project.") {
    super(404, "not-found", "Not found", detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, errors: FieldError[] = []) {
    super(409, "conflict", "Conflict", detail, errors);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail: string, errors: FieldError[] = []) {
    super(413, "payload-too-large", "Payload too large", detail, errors);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail: string) {
    super(415, "unsupported-media-type", "Unsupported media type", detail);
  }
}

export class ValidationError extends AppError {
  constructor(detail: string, errors: FieldError[] = []) {
    super(422, "validation", "Invalid request", detail, errors);
  }
}

/**
 * A request from an API key that signs what it posts, without a valid X-Trailbook-Signature
 * (README "Customer-side signatures"): a 422 of its own type, and nothing stored.
 */
export class SignatureError extends AppError {
  constructor(detail: string) {
    super(422, "signature", "Signature not valid", detail, [{ path: "X-Trailbook-Signature", message: detail }]);
  }
}

/** A `cursor` that no page of ours handed out (hand-edited, or from another list). */
export class CursorError extends ValidationError {
  constructor() {
    super("cursor is not valid: pass next_cursor from a previous page unchanged", [
      { path: "cursor", message: "not a cursor returned by this API" },
    ]);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      "rate-limited",
      "Too many requests",
      `Rate limit exceeded; retry after ${retryAfterSeconds} seconds.`,
      [],
      {
        "Retry-After": String(retryAfterSeconds),
      },
    );
  }
}

/** `["events", 3, "type"]` → `events[3].type` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Storage this request needs is full or unavailable for now: a clear 503 with Retry-After, nothing written. */
export class ServiceUnavailableError extends AppError {
  constructor(detail: string, retryAfterSeconds = 60) {
    super(503, "unavailable", "Service unavailable", detail, [], { "Retry-After": String(retryAfterSeconds) });
  }
}

export class GoneError extends AppError {
  constructor(detail: string) {
    super(410, "gone", "Gone", detail);
  }
}

export class LengthRequiredError extends AppError {
  constructor(detail: string) {
    super(411, "length-required", "Length required", detail);
  }
}

/**
 * Something the code guarantees did not hold (an insert that returned no row, a registry without
 * the task's kind): a bug or a broken platform. Deliberately not an AppError: its text is for the
 * logs and a task's last error, and every face answers it as a plain 500.
 */
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}
