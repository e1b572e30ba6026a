import { describe, expect, it } from "vitest";
import { toValidationError } from "../../../src/lib/validation";
import { EventInput } from "../../../src/services/events/schema";
import { csvToEvent } from "../../../src/services/imports/parse";
import { plainError } from "../../../views/pages/tasks/TaskDetail";

// An import's errors as the task page shows them: the CSV column (or the JSON field) a bad value
// came from, and what is wrong with it, in words.

/** The message the importer keeps for a row (src/services/imports/run.ts). */
const problem = (event: Record<string, unknown>) => {
  const parsed = EventInput.safeParse(event);
  if (parsed.success) throw new Error("the row is valid");
  return toValidationError(parsed.error)
    .errors.map((e) => `${e.path}: ${e.message}`)
    .join("; ");
};

describe("import errors in words", () => {
  it("names the CSV column a bad value came from, and what it should be", () => {
    const message = problem(csvToEvent({ type: "a.b", timestamp: "yesterday", status_code: "abc" }));
    expect(plainError(message, "csv")).toBe(
      "Column timestamp (when it occurred): must be a real date and time in ISO 8601 with an offset " +
        "(2026-11-02T10:15:00+01:00) or epoch milliseconds; " +
        "Column status_code (the response status code): should be a number",
    );
  });

  it("names a JSON Lines field by its own path", () => {
    const message = problem({ type: "a.b", actor: { email: 42 } });
    expect(plainError(message, "jsonl")).toBe("Field actor.email (the actor's e-mail address): should be text");
  });

  it("leaves a message about no one column as it is", () => {
    expect(plainError("changes is not valid JSON", "csv")).toBe("changes is not valid JSON");
  });
});
