import { describe, expect, it } from "vitest";
import { parseIsoInstant, parseTimeBound } from "../../src/lib/time";

describe("ISO times round-trip", () => {
  it.each([
    ["2026-11-02T10:15:00+01:00", "2026-11-02T09:15:00.000Z"],
    ["2026-11-02T10:15Z", "2026-11-02T10:15:00.000Z"],
    ["2028-02-29T23:59:59.999999999-0130", "2028-03-01T01:29:59.999Z"],
    ["2026-01-01t00:00:00z", "2026-01-01T00:00:00.000Z"],
    ["0050-06-01T00:00:00Z", "0050-06-01T00:00:00.000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(new Date(parseIsoInstant(text) ?? Number.NaN).toISOString()).toBe(iso);
  });

  it.each([
    "2026-02-30T00:00:00Z", // no such day (Date.parse makes it 2 March)
    "2026-02-29T00:00:00Z", // not a leap year
    "2026-04-31T12:00:00Z",
    "2026-00-10T12:00:00Z",
    "2026-13-01T12:00:00Z",
    "2026-01-00T12:00:00Z",
    "2026-01-01T24:00:00Z", // midnight at the end of a day is 00:00 of the next
    "2026-01-01T23:60:00Z",
    "2026-01-01T23:59:60Z", // leap seconds cannot be represented
    "2026-01-01T12:00:00+24:00",
    "2026-01-01T12:00:00+01:60",
    "2026-01-01T12:00:00", // no offset
    "2026-01-01 12:00:00Z", // events need the T
    "2026-01-01",
    "2026-01-01T12:00:00.1234567890Z",
  ])("refuses %s as an occurred_at", (text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });

  it.each(["2026-02-30", "2026-02-30T10:00", "2026-01-01T24:00", "2026-06-31", "2026-01-01T10:00+25:00"])(
    "refuses %s as a filter bound at either edge",
    (text) => {
      expect(parseTimeBound(text, "UTC", "start")).toBeNull();
      expect(parseTimeBound(text, "Europe/Berlin", "end")).toBeNull();
    },
  );

  it("reads years before 100 as themselves, not as 19xx", () => {
    expect(parseTimeBound("0050-01-01", "UTC", "start")).toBe(Date.parse("0050-01-01T00:00:00Z"));
    expect(parseTimeBound("0050-01-01T00:00Z", "UTC", "end")).toBe(Date.parse("0050-01-01T00:00:00Z") + 1);
  });

  it("keeps the bounds of valid dates and times", () => {
    expect(parseTimeBound("2028-02-29", "UTC", "start")).toBe(Date.parse("2028-02-29T00:00:00Z"));
    expect(parseTimeBound("2028-02-29", "UTC", "end")).toBe(Date.parse("2028-03-01T00:00:00Z"));
    expect(parseTimeBound("2026-11-01", "Europe/Berlin", "start")).toBe(Date.parse("2026-10-31T23:00:00Z"));
    expect(parseTimeBound("2026-11-01T10:00:00+02:00", "UTC", "end")).toBe(Date.parse("2026-11-01T08:00:00Z") + 1);
    expect(parseTimeBound("1700000000000", "UTC", "start")).toBe(1_700_000_000_000);
  });
});

describe("time zone offsets", () => {
  it("reads a wall time in the project's zone, in any year", () => {
    expect(parseTimeBound("2026-07-01T12:00", "Europe/Berlin", "start")).toBe(Date.parse("2026-07-01T10:00:00Z"));
    expect(parseTimeBound("0050-07-01T12:00", "UTC", "start")).toBe(Date.parse("0050-07-01T12:00:00Z"));
    expect(parseTimeBound("0000-01-01", "UTC", "start")).toBe(Date.parse("0000-01-01T00:00:00Z"));
    expect(parseTimeBound("9999-12-31", "UTC", "end")).toBe(Date.parse("+010000-01-01T00:00:00Z"));
  });
});
