/**
 * Whether D1 refused a write because it would break a constraint of that kind (SQLite's `UNIQUE
 * constraint failed: events.project_id, events.id`). D1 hands SQLite's errors over as plain Errors
 * with no code, so their text is the only place the kind shows: this is the one helper in the app
 * that reads an error's message, and the tests that race duplicate writes keep it honest.
 */
export function isConstraintViolation(error: unknown, kind: "UNIQUE" | "NOT NULL" | "CHECK"): boolean {
  return error instanceof Error && error.message.includes(`${kind} constraint failed`);
}
