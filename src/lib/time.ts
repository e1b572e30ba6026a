const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
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
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant at which the wall-clock time (given as if it were UTC) occurs in `timeZone`. */
export function wallTimeToInstant(wallAsUtc: number, timeZone: string): number {
  const first = wallAsUtc - timeZoneOffset(wallAsUtc, timeZone);
  // Around a DST change the offset at the guess can differ from the offset at the answer.
  return wallAsUtc - timeZoneOffset(first, timeZone);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export type TimeEdge = "start" | "end";

/**
 * Parses a filter bound: epoch milliseconds, an ISO date, or an ISO date-time with or without an
 * offset; without one it is read in `timeZone` (DESIGN §4). Returns a half-open bound: `start`
 * gives the first included instant, `end` the first excluded one — a bare date as an end bound
 * covers that whole day. Returns null when the text is not a time.
 */
export function parseTimeBound(text: string, timeZone: string, edge: TimeEdge): number | null {
  const value = text.trim();
  if (/^\d{1,15}$/.test(value)) return Number(value) + (edge === "end" ? 1 : 0);
  const m = ISO.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  const millis = Number((frac ?? "0").slice(0, 3).padEnd(3, "0"));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(wall).getUTCDate() !== day) return null; // 2026-02-30 and the like
  let instant: number;
  if (offset) {
    const sign = offset.toUpperCase() === "Z" ? 0 : offset.startsWith("-") ? -1 : 1;
    const digits = offset.replace(/[^0-9]/g, "");
    const offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    instant = wall - offsetMs;
  } else {
    instant = wallTimeToInstant(wall, timeZone);
  }
  if (edge === "start") return instant;
  if (h !== undefined) return instant + 1;
  return offset ? instant + 86_400_000 : wallTimeToInstant(wall + 86_400_000, timeZone);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
