import { describe, expect, it } from "vitest";
import { IsolateCache } from "../../src/lib/isolate-cache";

describe("IsolateCache", () => {
  it("serves an entry until it expires, then forgets it", () => {
    const cache = new IsolateCache<string>(5_000, 10);
    cache.set("a", "A", 1_000);
    expect(cache.get("a", 5_999)).toBe("A");
    expect(cache.get("a", 6_000)).toBeUndefined();
    expect(cache.get("a", 1_000)).toBeUndefined();
  });

  it("keeps at most its size, the least recently kept going first", () => {
    const cache = new IsolateCache<number>(5_000, 2);
    cache.set("a", 1, 0);
    cache.set("b", 2, 0);
    cache.set("a", 3, 0); // kept again: now the newest
    cache.set("c", 4, 0);
    expect([cache.get("a", 0), cache.get("b", 0), cache.get("c", 0)]).toEqual([3, undefined, 4]);
  });

  it("forgets by key or by value, and lets values change in place", () => {
    const cache = new IsolateCache<{ project: string; n: number }>(5_000, 10);
    cache.set("k1", { project: "p1", n: 1 }, 0);
    cache.set("k2", { project: "p2", n: 1 }, 0);
    cache.set("k3", { project: "p1", n: 1 }, 0);
    for (const v of cache.values()) v.n = 2;
    cache.deleteWhere((v) => v.project === "p1");
    expect([cache.get("k1", 0), cache.get("k2", 0), cache.get("k3", 0)]).toEqual([
      undefined,
      { project: "p2", n: 2 },
      undefined,
    ]);
    cache.delete("k2");
    expect(cache.get("k2", 0)).toBeUndefined();
  });
});
