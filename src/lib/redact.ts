export const REDACTED = "[REDACTED]";
/** The marker inside URLs and form bodies, encoded so the text still decodes to `[REDACTED]`. */
const REDACTED_ENCODED = encodeURIComponent(REDACTED);

/**
 * Built-in sensitive words (README "Redaction") found anywhere in a key once case and separators are dropped,
 * so `refresh_token`, `X-Api-Key`, `newPassword`, `secret_answer` and `private-key` all match.
 */
const SENSITIVE_ANYWHERE =
  /password|passwd|passphrase|secret|token|apikey|authorization|cookie|session|credential|privatekey|cardnumber|cvv/;
/**
 * Short words that are also parts of ordinary ones (author, authority, spinner, pinned,
 * businessName): they match only as a whole segment of the key, split at `_ - . [ ]`, spaces and
 * camelCase humps, so `auth`, `X-Auth`, `basicAuth`, `pin_code`, `userSSN` match and those do not.
 */
const SENSITIVE_SEGMENTS = new Set(["auth", "otp", "totp", "pin", "ssn"]);

function keySegments(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
}

function builtInSensitive(key: string): boolean {
  if (SENSITIVE_ANYWHERE.test(key.toLowerCase().replace(/[^a-z0-9]/g, ""))) return true;
  return keySegments(key).some((s) => SENSITIVE_SEGMENTS.has(s));
}

/**
 * A predicate over key names: the built-in words plus the project's extra keys, which match a
 * whole key name, or the last part of a dotted one, case-insensitively (so `"iban"` redacts `IBAN`
 * and the change `profile.iban` but not `ibanVerified`).
 */
export function sensitiveKeyMatcher(extraKeys: readonly string[]): (key: string) => boolean {
  const extra = new Set(extraKeys.map((k) => k.toLowerCase()));
  return (key) => {
    if (builtInSensitive(key)) return true;
    const lower = key.toLowerCase().trim();
    return extra.has(lower) || extra.has(lower.slice(lower.lastIndexOf(".") + 1));
  };
}

/**
 * Nesting deeper than this (objects, arrays and JSON inside strings together) is not inspected but
 * replaced whole: what cannot be read for secrets is not kept. Real payloads stay far below it.
 */
const MAX_DEPTH = 64;

type IsSensitive = (key: string) => boolean;

/**
 * A copy of `value` with the value of every sensitive key, at any depth, replaced; and strings
 * searched for what they encode: JSON (at any depth of JSON inside strings), URL query strings,
 * fragments and user info, form bodies and `key=value` text. Parts without anything sensitive are
 * returned as they are (the same object or string), so a string is rewritten only when it held a
 * secret.
 */
export function redact(value: unknown, isSensitive: IsSensitive, depth = 0): unknown {
  if (typeof value === "string") return redactString(value, isSensitive, depth);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redact(item, isSensitive, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const next = isSensitive(key) ? REDACTED : redact(item, isSensitive, depth + 1);
    if (next !== item) changed = true;
    out[key] = next;
  }
  return changed ? out : value;
}

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function redactString(text: string, isSensitive: IsSensitive, depth: number): string {
  const trimmed = text.trim();
  if (/^[[{"]/.test(trimmed)) {
    const parsed = parseJson(trimmed);
    if (parsed !== NOT_JSON) {
      const out = redact(parsed, isSensitive, depth + 1);
      return out === parsed ? text : JSON.stringify(out);
    }
  }
  let out = text;
  if (out.includes("://")) out = redactUserInfo(out);
  if (out.includes("=")) out = redactPairs(out, isSensitive);
  return out;
}

/** `scheme://user:password@host`: the user info of every URL in the text goes (it is a credential). */
function redactUserInfo(text: string): string {
  let out = "";
  let from = 0;
  for (let at = text.indexOf("://"); at >= 0; at = text.indexOf("://", at + 3)) {
    const start = at + 3;
    if (start < from) continue;
    const end = start + (/^[^\s/?#]*/.exec(text.slice(start, start + 2048))?.[0].length ?? 0);
    const authority = text.slice(start, end);
    const userEnd = authority.lastIndexOf("@");
    if (userEnd <= 0) continue;
    out += `${text.slice(from, start)}${REDACTED_ENCODED}`;
    from = start + userEnd;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Form bodies, query strings and fragments are read as pairs split at these. */
const PAIR_SEPARATORS = /([?#&;\r\n])/;

/** A form key as a reader sees it: `+` is a space, percent escapes decoded, spaces around ignored. */
function formKey(raw: string): string {
  const spaced = raw.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced).trim();
  } catch {
    return spaced.trim();
  }
}

/**
 * `a=1&password=x`, `/login?token=x#state`, `a=1 & password = x`, `new+password=x`, `user=jane
 * token=abc`: the value of every pair whose key is sensitive becomes the marker, up to the next
 * separator (so a `+`-encoded value with spaces goes whole).
 */
function redactPairs(text: string, isSensitive: IsSensitive): string {
  const parts = text.split(PAIR_SEPARATORS);
  let changed = false;
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i] ?? "";
    const next = redactPair(part, isSensitive);
    if (next !== part) {
      parts[i] = next;
      changed = true;
    }
  }
  return changed ? parts.join("") : text;
}

function redactValue(value: string): string {
  const lead = /^\s*/.exec(value)?.[0] ?? "";
  const rest = value.slice(lead.length);
  return rest === "" || rest === REDACTED_ENCODED ? value : `${lead}${REDACTED_ENCODED}`;
}

function redactPair(part: string, isSensitive: IsSensitive): string {
  const eq = part.indexOf("=");
  if (eq < 0) return part;
  const key = formKey(part.slice(0, eq));
  const value = part.slice(eq + 1);
  if (key && isSensitive(key)) {
    const next = redactValue(value);
    return next === value ? part : part.slice(0, eq + 1) + next;
  }
  // Space-separated pairs (logfmt, log lines): `user=jane token=abc`.
  const next = value.replace(
    /(\s)([^\s=]+)(\s*=\s*)(\S*)/g,
    (match, space: string, k: string, sign: string, v: string) =>
      v && v !== REDACTED_ENCODED && isSensitive(formKey(k)) ? `${space}${k}${sign}${REDACTED_ENCODED}` : match,
  );
  return next === value ? part : part.slice(0, eq + 1) + next;
}

/**
 * Request and response bodies often arrive as text. A JSON string is redacted like the structure it
 * encodes and stays a (re-serialised) string; any other value goes through `redact`.
 */
export function redactBody(value: unknown, isSensitive: IsSensitive): unknown {
  if (typeof value === "string") {
    const text = value.trim();
    if (text.startsWith("{") || text.startsWith("[")) {
      const parsed = parseJson(text);
      if (parsed !== NOT_JSON) return JSON.stringify(redact(parsed, isSensitive));
    }
  }
  return redact(value, isSensitive);
}
