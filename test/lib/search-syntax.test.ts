import { describe, expect, it } from "vitest";
import {
  MAX_CLAUSES,
  MAX_TERM_LENGTH,
  parseSearchQuery,
  SEARCH_KEY_ALIASES,
  SEARCH_KEYS,
  SearchSyntaxError,
} from "../../src/lib/search-syntax";

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

  it("parses the documented example", () => {
    const clauses = parseSearchQuery(
      'type:commission.* actor:u_42 status:failure changed:status -source:api after:2026-01-01 "approved" org:"Acme Ltd"',
    );
    expect(
      clauses.map((c) => (c.kind === "text" ? [c.text, c.phrase, c.negated] : [c.key, c.value, c.negated])),
    ).toEqual([
      ["type", "commission.*", false],
      ["actor", "u_42", false],
      ["status", "failure", false],
      ["changed", "status", false],
      ["source", "api", true],
      ["after", "2026-01-01", false],
      ["approved", true, false],
      ["organization_id", "Acme Ltd", false],
    ]);
    expect(clauses.map((c) => c.column)).toEqual([1, 19, 30, 45, 60, 72, 89, 100]);
  });

  it("maps every canonical key to itself", () => {
    for (const key of SEARCH_KEYS) {
      expect(parseSearchQuery(`${key}:v`)).toEqual([{ kind: "field", key, value: "v", negated: false, column: 1 }]);
      expect(SEARCH_KEY_ALIASES.get(key)).toBe(key);
    }
  });

  it("maps short forms and is case-insensitive in keys", () => {
    const keys = parseSearchQuery("org:a organization:b organisation:c ORGANIZATION_ID:d request:e job:f Actor:g").map(
      (c) => c.kind === "field" && c.key,
    );
    expect(keys).toEqual([
      "organization_id",
      "organization_id",
      "organization_id",
      "organization_id",
      "request_id",
      "job_id",
      "actor",
    ]);
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

  it("negates a bare word, and only once", () => {
    expect(parseSearchQuery("-jane --x")).toEqual([
      { kind: "text", text: "jane", phrase: false, negated: true, column: 1 },
      { kind: "text", text: "-x", phrase: false, negated: true, column: 7 },
    ]);
  });

  it("separates tokens by any whitespace", () => {
    expect(parseSearchQuery("\ta\n  status:ok\r\n").map((c) => c.column)).toEqual([2, 6]);
  });

  it("treats words whose part before the colon is not a plain word as text", () => {
    expect(parseSearchQuery("u_42:x a.b:c a-b:c :x").map((c) => c.kind === "text" && c.text)).toEqual([
      "u_42:x",
      "a.b:c",
      "a-b:c",
      ":x",
    ]);
  });

  it("treats words that only look like keys as text", () => {
    expect(parseSearchQuery("https://example.com 10:30")).toEqual([
      { kind: "text", text: "https://example.com", phrase: false, negated: false, column: 1 },
      { kind: "text", text: "10:30", phrase: false, negated: false, column: 21 },
    ]);
  });

  it("returns nothing for blank input", () => {
    expect(parseSearchQuery("")).toEqual([]);
    expect(parseSearchQuery("  \t ")).toEqual([]);
  });

  it(`accepts values, words and phrases of exactly ${MAX_TERM_LENGTH} characters`, () => {
    const long = "x".repeat(MAX_TERM_LENGTH);
    expect(parseSearchQuery(`actor:${long} ${long} "${long}"`)).toHaveLength(3);
  });

  it("throws a SearchSyntaxError that is an Error with its name", () => {
    const error = errorOf("colour:red");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SearchSyntaxError");
  });

  it.each([
    ["colour:red", 1, 'unknown key "colour"'],
    ["type:a -Colour:red", 8, 'unknown key "Colour"'],
    // Object.prototype's members are not keys.
    ["constructor:x", 1, 'unknown key "constructor"'],
    ["__proto__:x", 1, 'unknown key "__proto__"'],
    ["-", 1, 'lone "-"'],
    ["status:ok - x", 11, 'lone "-"'],
    ["type:a -", 8, 'lone "-"'],
    ['type:a "open', 8, "unterminated quote"],
    ['status:"open', 8, "unterminated quote"],
    ['-"open', 2, "unterminated quote"],
    ['"a \\" b', 1, "unterminated quote"],
    ['org:"Acme"Ltd', 11, "expected a space after the closing quote"],
    ['"a"b', 4, "expected a space after the closing quote"],
    ["status: x", 1, "empty value for status:"],
    ["x -org:", 3, "empty value for org:"],
    ['status:""', 1, "empty value"],
    ['""', 1, "empty phrase"],
    [`type:${"x".repeat(201)}`, 1, "longer than 200"],
    [`  ${"y".repeat(201)}`, 3, "longer than 200"],
    [`a -"${"z".repeat(201)}"`, 3, "longer than 200"],
    [`org:"${"z ".repeat(101)}"`, 1, "longer than 200"],
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
    expect(
      errorOf(
        Array(MAX_CLAUSES + 1)
          .fill("a")
          .join(" "),
      ).column,
    ).toBe(MAX_CLAUSES * 2 + 1);
  });
});
