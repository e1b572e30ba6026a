import { decodeTime, isValid } from "ulidx";
import { describe, expect, it } from "vitest";
import { newId, pooledRandom } from "../../src/lib/ids";

describe("ids", () => {
  it("are prefixed ULIDs carrying their time, unique and ordered within a millisecond", () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const ids = Array.from({ length: 500 }, () => newId("evt", now));
    for (const id of ids) {
      expect(id).toMatch(/^evt_[0-9a-hjkmnp-tv-z]{26}$/);
      expect(isValid(id.slice(4).toUpperCase())).toBe(true);
      expect(decodeTime(id.slice(4).toUpperCase())).toBe(now);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("draw their random part from the whole alphabet, evenly, across refills of the pool", () => {
    // 2,000 ids of distinct, later milliseconds (an earlier one only increments the last id):
    // 32,000 random characters, 1,000 expected per symbol.
    const seen = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      for (const ch of newId("req", Date.UTC(2030, 0, 1) + i).slice(-16)) seen.set(ch, (seen.get(ch) ?? 0) + 1);
    }
    expect(seen.size).toBe(32);
    for (const n of seen.values()) expect(n).toBeGreaterThan(800);
  });

  it("pooled randomness is in [0, 1) and changes from draw to draw", () => {
    const draws = Array.from({ length: 1_000 }, () => pooledRandom());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(new Set(draws).size).toBeGreaterThan(200);
  });
});
