import { z } from "zod";
import { formatPath, ValidationError } from "./errors";

const WHOLE: Record<string, string> = { json: "(body)", form: "(form)", query: "(query)", param: "(path)" };

/**
 * A zod failure as our ValidationError, so its raw shape (internal paths, codes) never reaches a client.
 * `target` is the validator's target; an issue about the whole input is reported as `(body)`,
 * `(query)` and so on.
 */
export function toValidationError(error: z.ZodError, target?: string): ValidationError {
  const errors = error.issues.map((issue) => {
    const named = issue.path.map((part) => (typeof part === "string" ? escapeText(part) : part));
    const path = formatPath(named) || WHOLE[target ?? "json"] || target || "(body)";
    let message = issue.message;
    if (issue.code === "unrecognized_keys")
      message = `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    if (issue.code === "invalid_key" && issue.issues[0]) message = `key ${issue.issues[0].message}`;
    return { path, message };
  });
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return new ValidationError(first ? `${first.path}: ${first.message}${more}` : "The request is invalid.", errors);
}

// An unpaired UTF-16 surrogate cannot be encoded as UTF-8: canonical JSON, hashes, D1 and every
// reader downstream would each fail or substitute it differently, so text carrying one is refused.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = String.fromCharCode(0);

/**
 * Why `text` cannot be stored or searched as it is, or undefined when it can: a NUL character
 * (which C strings, SQLite's text functions and FTS5 cut at) or an unpaired surrogate.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes(NUL)) return "must not contain a NUL character (U+0000)";
  LONE_SURROGATE.lastIndex = 0;
  if (LONE_SURROGATE.test(text)) return "must not contain an unpaired UTF-16 surrogate (such as \\ud800)";
  return undefined;
}

/** `text` with NUL and unpaired surrogates written as `\u0000` escapes, to name it in a message. */
export function escapeText(text: string): string {
  const hex = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return text.replaceAll(NUL, hex(NUL)).replace(LONE_SURROGATE, hex);
}

/** How deep a free-form JSON value (metadata, changes, request details) may nest: README "Events". */
export const MAX_JSON_DEPTH = 32;

export type JsonProblem = { kind: "depth" | "text" | "number"; path: (string | number)[]; message: string };

/**
 * The first reason a parsed JSON value cannot be stored, or undefined: nesting deeper than
 * `maxDepth` arrays and objects (the value itself is level 1), a string or key that `textProblem`
 * refuses, or a number JSON.parse turned into ±Infinity (`1e309`). Walks with its own stack, so no
 * input can exhaust the call stack here.
 */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const stack: [unknown, (string | number)[], number][] = [[value, [], 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, path, depth] = next;
    if (typeof item === "string") {
      const problem = textProblem(item);
      if (problem) return { kind: "text", path, message: problem };
    } else if (typeof item === "number") {
      if (!Number.isFinite(item))
        return { kind: "number", path, message: "must be a finite number (1e309 overflows to Infinity)" };
    } else if (item !== null && typeof item === "object") {
      if (depth > maxDepth)
        return { kind: "depth", path, message: `must not nest deeper than ${maxDepth} levels of arrays and objects` };
      if (Array.isArray(item)) {
        for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], [...path, i], depth + 1]);
      } else {
        for (const [key, child] of Object.entries(item)) {
          const problem = textProblem(key);
          if (problem) return { kind: "text", path: [...path, escapeText(key)], message: `key ${problem}` };
          stack.push([child, [...path, key], depth + 1]);
        }
      }
    }
  }
  return undefined;
}

/** A zod string that `textProblem` accepts: the one rule for text that is stored or searched. */
export function storableText() {
  return z.string().superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}
