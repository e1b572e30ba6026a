export const REDACTED = "[REDACTED]";

/** Built-in sensitive key pattern (DESIGN §3); matched anywhere in a key name, case-insensitively. */
const SENSITIVE_KEY =
  /password|passwd|secret|token|api[_-]?key|authorization|cookie|session|card[_-]?number|cvv|ssn/i;

/**
 * A predicate over key names: the built-in pattern plus the project's extra keys, which match a
 * whole key name case-insensitively (so `"iban"` redacts `IBAN` but not `ibanVerified`).
 */
export function sensitiveKeyMatcher(extraKeys: readonly string[]): (key: string) => boolean {
  const extra = new Set(extraKeys.map((k) => k.toLowerCase()));
  return (key) => SENSITIVE_KEY.test(key) || extra.has(key.toLowerCase());
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
