const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (positive east of Greenwich). */
export function timeZoneOffset(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  let bc = false;
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type === "era") bc = p.value === "BC";
    else parts[p.type] = Number(p.value);
  }
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999; year 1 BC is year 0.
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - (parts.year ?? 1) : (parts.year ?? 0), (parts.month ?? 1) - 1, parts.day);
  wall.setUTCHours(parts.hour ?? 0, parts.minute, parts.second, 0);
  return wall.getTime() - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant at which the wall-clock time (given as if it were UTC) occurs in `timeZone`. */
export function wallTimeToInstant(wallAsUtc: number, timeZone: string): number {
  const first = wallAsUtc - timeZoneOffset(wallAsUtc, timeZone);
  // Around a DST change the offset at the guess can differ from the offset at the answer.
  return wallAsUtc - timeZoneOffset(first, timeZone);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** An ISO 8601 date or date-time whose every field names a real moment. */
type IsoParts = {
  /** The wall-clock time as if it were UTC, in epoch milliseconds. */
  wall: number;
  /** "T", " ", or undefined for a bare date. */
  separator: string | undefined;
  /** Milliseconds east of UTC; undefined when the text has no offset. */
  offsetMs: number | undefined;
};

/**
 * Reads `2026-11-02`, `2026-11-02T10:15`, `2026-11-02T10:15:00.123+01:00` and the like (years
 * 0000–9999, at most nine fraction digits, kept to the millisecond). Every field must be in range,
 * so the text round-trips: `2026-02-30`, `T24:00`, `:60` seconds or a `+25:00` offset are refused
 * instead of rolling over into another day (midnight is `00:00` of the next day).
 */
function parseIsoParts(text: string): IsoParts | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, separator, h, mi, s, frac, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  const millis = Number((frac ?? "0").slice(0, 3).padEnd(3, "0"));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  let offsetMs: number | undefined;
  if (offset) {
    const digits = offset.replace(/[^0-9]/g, "");
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4));
    if (hours > 23 || minutes > 59) return null;
    offsetMs = offset.toUpperCase() === "Z" ? 0 : (offset.startsWith("-") ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return { wall: date.getTime(), separator, offsetMs };
}

/**
 * An event's `occurred_at` text: an ISO 8601 date-time with `T` and an offset (a wall time alone is
 * ambiguous across the sender's zones). Returns epoch milliseconds, or null when it is not one.
 */
export function parseIsoInstant(text: string): number | null {
  const parts = parseIsoParts(text);
  if (parts?.separator?.toUpperCase() !== "T" || parts.offsetMs === undefined) return null;
  return parts.wall - parts.offsetMs;
}

export type TimeEdge = "start" | "end";

/**
 * Parses a filter bound: epoch milliseconds, an ISO date, or an ISO date-time with or without an
 * offset; without one it is read in `timeZone` (README "Filters"). Returns a half-open bound: `start`
 * gives the first included instant, `end` the first excluded one — a bare date as an end bound
 * covers that whole day. Returns null when the text is not a time.
 */
export function parseTimeBound(text: string, timeZone: string, edge: TimeEdge): number | null {
  const value = text.trim();
  if (/^\d{1,15}$/.test(value)) return Number(value) + (edge === "end" ? 1 : 0);
  const parts = parseIsoParts(value);
  if (!parts) return null;
  const { wall, separator, offsetMs } = parts;
  const instant = offsetMs === undefined ? wallTimeToInstant(wall, timeZone) : wall - offsetMs;
  if (edge === "start") return instant;
  if (separator !== undefined) return instant + 1;
  return offsetMs === undefined ? wallTimeToInstant(wall + 86_400_000, timeZone) : instant + 86_400_000;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
