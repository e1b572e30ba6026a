// The search syntax (README "Filters"):
//   type:commission.* actor:u_42 status:failure changed:status -source:api after:2026-01-01 "approved"
// A pure scanner: it knows keys and quoting, not what a key means (services/events/filters does).

export const SEARCH_KEYS = [
  "type",
  "category",
  "status",
  "source",
  "actor",
  "actor_id",
  "actor_type",
  "entity",
  "entity_type",
  "entity_id",
  "organization_id",
  "request_id",
  "job_id",
  "ip",
  "changed",
  "action",
  "before",
  "after",
  "from",
  "to",
] as const;
export type SearchKey = (typeof SEARCH_KEYS)[number];

// A Map, not an object literal: `constructor:` or `__proto__:` must not find Object.prototype's members.
/** Every accepted key (lower case), canonical keys and their short forms, to its canonical key. */
export const SEARCH_KEY_ALIASES: ReadonlyMap<string, SearchKey> = new Map<string, SearchKey>([
  ...SEARCH_KEYS.map((k) => [k, k] as const),
  ["org", "organization_id"],
  ["organization", "organization_id"],
  ["organisation", "organization_id"],
  ["request", "request_id"],
  ["job", "job_id"],
]);

export const MAX_CLAUSES = 30;
export const MAX_TERM_LENGTH = 200;

/**
 * A metadata key the search can name (`metadata.program:`): a top-level key of letters, digits,
 * `_` and `-`, the same rule ingest applies to the keys it indexes (README "Filters").
 */
export const METADATA_KEY = /^[A-Za-z0-9_-]{1,64}$/;

export type SearchClause =
  | { kind: "field"; key: SearchKey; value: string; negated: boolean; column: number }
  | { kind: "metadata"; key: string; value: string; negated: boolean; column: number }
  | { kind: "text"; text: string; phrase: boolean; negated: boolean; column: number };

export class SearchSyntaxError extends Error {
  override readonly name = "SearchSyntaxError";
  /** 1-based position in the query where the problem starts. */
  readonly column: number;
  constructor(problem: string, column: number, hint?: string) {
    super(`${problem} at column ${column}${hint ? `; ${hint}` : ""}`);
    this.column = column;
  }
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

/** Parses a search query into clauses; throws SearchSyntaxError with the column of the problem. */
export function parseSearchQuery(input: string): SearchClause[] {
  const clauses: SearchClause[] = [];
  let i = 0;

  /** Reads a quoted string starting at the opening quote; returns its text and the index after it. */
  const readQuoted = (start: number): [string, number] => {
    let text = "";
    for (let j = start + 1; j < input.length; j++) {
      const ch = input[j];
      if (ch === "\\" && (input[j + 1] === '"' || input[j + 1] === "\\")) {
        text += input[j + 1];
        j++;
      } else if (ch === '"') {
        // `org:"Acme"Ltd` is ambiguous (one value or two clauses?), so tokens must be space-separated.
        if (j + 1 < input.length && !isSpace(input[j + 1]))
          throw new SearchSyntaxError("expected a space after the closing quote", j + 2);
        return [text, j + 1];
      } else {
        text += ch;
      }
    }
    throw new SearchSyntaxError("unterminated quote", start + 1);
  };

  /** Reads up to the next whitespace. */
  const readWord = (start: number): [string, number] => {
    let j = start;
    while (j < input.length && !isSpace(input[j])) j++;
    return [input.slice(start, j), j];
  };

  while (i < input.length) {
    if (isSpace(input[i])) {
      i++;
      continue;
    }
    const column = i + 1;
    let negated = false;
    if (input[i] === "-") {
      negated = true;
      i++;
      if (i >= input.length || isSpace(input[i]))
        throw new SearchSyntaxError('a lone "-" negates nothing', column, "write -key:value or -word");
    }
    if (clauses.length >= MAX_CLAUSES) throw new SearchSyntaxError(`more than ${MAX_CLAUSES} clauses`, column);

    if (input[i] === '"') {
      const [text, end] = readQuoted(i);
      i = end;
      if (text.trim() === "") throw new SearchSyntaxError("empty phrase", column);
      if (text.length > MAX_TERM_LENGTH)
        throw new SearchSyntaxError(`phrase longer than ${MAX_TERM_LENGTH} characters`, column);
      clauses.push({ kind: "text", text, phrase: true, negated, column });
      continue;
    }

    // `word:` starts a field clause, except in a URL (`https://…`), which is searched as text;
    // `metadata.<key>:` names a metadata field (the key is checked below, so a bad one is named).
    const keyMatch = /^([A-Za-z_]+|metadata\.[^\s:"]*):(?!\/\/)/i.exec(input.slice(i));
    if (!keyMatch?.[1]) {
      const [text, end] = readWord(i);
      i = end;
      if (text.length > MAX_TERM_LENGTH)
        throw new SearchSyntaxError(`word longer than ${MAX_TERM_LENGTH} characters`, column);
      clauses.push({ kind: "text", text, phrase: false, negated, column });
      continue;
    }

    const word = keyMatch[1];
    const metadataKey = word.includes(".") ? word.slice(word.indexOf(".") + 1) : undefined;
    if (metadataKey !== undefined && !METADATA_KEY.test(metadataKey)) {
      throw new SearchSyntaxError(
        `invalid metadata key "${metadataKey}"`,
        column,
        "a key is 1 to 64 letters, digits, _ or - (top-level metadata only)",
      );
    }
    const key = metadataKey === undefined ? SEARCH_KEY_ALIASES.get(word.toLowerCase()) : undefined;
    if (!key && metadataKey === undefined) {
      throw new SearchSyntaxError(
        `unknown key "${word}"`,
        column,
        `valid keys are ${SEARCH_KEYS.join(", ")}, org, request, job, metadata.<key>`,
      );
    }
    const valueStart = i + word.length + 1;
    let value: string;
    if (input[valueStart] === '"') [value, i] = readQuoted(valueStart);
    else [value, i] = readWord(valueStart);
    if (value === "") throw new SearchSyntaxError(`empty value for ${word}:`, column);
    if (value.length > MAX_TERM_LENGTH)
      throw new SearchSyntaxError(`value of ${word}: longer than ${MAX_TERM_LENGTH} characters`, column);
    if (metadataKey !== undefined) clauses.push({ kind: "metadata", key: metadataKey, value, negated, column });
    else if (key) clauses.push({ kind: "field", key, value, negated, column });
  }
  return clauses;
}
