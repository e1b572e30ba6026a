import { describe, expect, it } from "vitest";
import { MAX_CLAUSES, parseSearchQuery, SearchSyntaxError } from "../../src/lib/search-syntax";

function errorOf(input: string): SearchSyntaxError {
  try {
    parseSearchQuery(input);
  } catch (error) {
    if (error instanceof SearchSyntaxError) return error;
    throw error;
  }
  throw new Error(`"${input}" parsed without an error`);
}

describe("parseSearchQuery", () => {
  it("parses keys, negation, bare words and phrases with their columns", () => {
    expect(parseSearchQuery('type:commission.* -source:api "approved payout" jane')).toEqual([
      { kind: "field", key: "type", value: "commission.*", negated: false, column: 1 },
      { kind: "field", key: "source", value: "api", negated: true, column: 19 },
      { kind: "text", text: "approved payout", phrase: true, negated: false, column: 31 },
      { kind: "text", text: "jane", phrase: false, negated: false, column: 49 },
    ]);
  });

  it("maps short forms and is case-insensitive in keys", () => {
    const keys = parseSearchQuery("org:a organization:b organisation:c ORGANIZATION_ID:d request:e job:f Actor:g").map(
      (c) => c.kind === "field" && c.key,
    );
    expect(keys).toEqual(["organization_id", "organization_id", "organization_id", "organization_id", "request_id", "job_id", "actor"]);
  });

  it("keeps everything after the first colon as the value", () => {
    expect(parseSearchQuery("entity:commission:123")).toEqual([
      { kind: "field", key: "entity", value: "commission:123", negated: false, column: 1 },
    ]);
    expect(parseSearchQuery("after:2026-01-01T10:00")[0]).toMatchObject({ key: "after", value: "2026-01-01T10:00" });
  });

  it("reads quoted values with escapes", () => {
    expect(parseSearchQuery('actor:"Jane \\"JD\\" Doe" -"a \\\\ b"')).toEqual([
      { kind: "field", key: "actor", value: 'Jane "JD" Doe', negated: false, column: 1 },
      { kind: "text", text: "a \\ b", phrase: true, negated: true, column: 25 },
    ]);
  });

  it("treats words that only look like keys as text", () => {
    expect(parseSearchQuery("https://example.com 10:30")).toEqual([
      { kind: "text", text: "https://example.com", phrase: false, negated: false, column: 1 },
      { kind: "text", text: "10:30", phrase: false, negated: false, column: 21 },
    ]);
  });

  it("returns nothing for blank input", () => {
    expect(parseSearchQuery("  \t ")).toEqual([]);
  });

  it.each([
    ["colour:red", 1, 'unknown key "colour"'],
    ["status:ok - x", 11, 'lone "-"'],
    ["type:a -", 8, 'lone "-"'],
    ['type:a "open', 8, "unterminated quote"],
    ['status:"open', 8, "unterminated quote"],
    ["status: x", 1, "empty value for status:"],
    ['status:""', 1, "empty value"],
    ['""', 1, "empty phrase"],
    [`type:${"x".repeat(201)}`, 1, "longer than 200"],
    [`  ${"y".repeat(201)}`, 3, "longer than 200"],
  ])("rejects %j at column %i", (input, column, words) => {
    const error = errorOf(input);
    expect(error.column).toBe(column);
    expect(error.message).toContain(words);
    expect(error.message).toContain(`at column ${column}`);
  });

  it("lists the valid keys for an unknown one", () => {
    expect(errorOf("colour:red").message).toMatch(/valid keys are type, category, status, .*org, request, job/);
  });

  it(`allows at most ${MAX_CLAUSES} clauses`, () => {
    expect(parseSearchQuery(Array(MAX_CLAUSES).fill("a").join(" "))).toHaveLength(MAX_CLAUSES);
    expect(errorOf(Array(MAX_CLAUSES + 1).fill("a").join(" ")).column).toBe(MAX_CLAUSES * 2 + 1);
  });
});
