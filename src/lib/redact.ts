export const REDACTED = "[REDACTED]";

/** Built-in sensitive key pattern (DESIGN §3); matched anywhere in a key name, case-insensitively. */
const SENSITIVE_KEY = /password|passwd|secret|token|api[_-]?key|authorization|cookie|session|card[_-]?number|cvv|ssn/i;

/**
 * A predicate over key names: the built-in pattern plus the project's extra keys, which match a
 * whole key name, or the last part of a dotted one, case-insensitively (so `"iban"` redacts `IBAN`
 * and the change `profile.iban` but not `ibanVerified`).
 */
export function sensitiveKeyMatcher(extraKeys: readonly string[]): (key: string) => boolean {
  const extra = new Set(extraKeys.map((k) => k.toLowerCase()));
  return (key) => {
    if (SENSITIVE_KEY.test(key)) return true;
    const lower = key.toLowerCase();
    return extra.has(lower) || extra.has(lower.slice(lower.lastIndexOf(".") + 1));
  };
}

/** A deep copy of `value` with the value of every sensitive key, at any depth, replaced. */
export function redact(value: unknown, isSensitive: (key: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, isSensitive));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSensitive(key) ? REDACTED : redact(item, isSensitive);
    }
    return out;
  }
  return value;
}

const FORM_ENCODED = /^[^=&\s]+=[^&\s]*(&[^=&\s]+=[^&\s]*)*$/;

/**
 * Request and response bodies often arrive as text. A JSON or form-encoded string is redacted like
 * the structure it encodes and stays a string; any other value goes through `redact`.
 */
export function redactBody(value: unknown, isSensitive: (key: string) => boolean): unknown {
  if (typeof value !== "string") return redact(value, isSensitive);
  const text = value.trim();
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.stringify(redact(JSON.parse(text), isSensitive));
    } catch {
      return value;
    }
  }
  if (FORM_ENCODED.test(text)) {
    const params = new URLSearchParams(text);
    if (![...params.keys()].some(isSensitive)) return value;
    for (const key of new Set(params.keys())) if (isSensitive(key)) params.set(key, REDACTED);
    return params.toString();
  }
  return value;
}
