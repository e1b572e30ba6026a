import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { coalescedReader } from "../../src/db/shard/reads";

/** The shard database, counting the calls that reach D1 (one batch or one statement each). */
function counted() {
  const d1 = env.EVENTS_3;
  const calls: string[] = [];
  const stand = {
    prepare: (query: string) => {
      const statement = d1.prepare(query);
      return {
        bind: (...values: unknown[]) => {
          const bound = statement.bind(...values);
          return Object.assign(Object.create(bound), {
            all: () => {
              calls.push("all");
              return bound.all();
            },
            unwrap: () => bound,
          });
        },
      } as unknown as D1PreparedStatement;
    },
    batch: (statements: D1PreparedStatement[]) => {
      calls.push(`batch of ${statements.length}`);
      return d1.batch(statements.map((s) => (s as unknown as { unwrap(): D1PreparedStatement }).unwrap()));
    },
  } as unknown as D1Database;
  return { d1: stand, calls };
}

describe("coalesced shard reads", () => {
  it("sends reads started in the same turn as one batch, each caller getting its own rows", async () => {
    const { d1, calls } = counted();
    const read = coalescedReader(d1);
    const [a, b, c] = await Promise.all([
      read<{ n: number }>(sql`SELECT ${1} AS n`),
      read<{ word: string }>(sql`SELECT ${"two"} AS word UNION ALL SELECT 'three'`),
      read<{ n: number }>(sql`SELECT 3 AS n WHERE 0`),
    ]);
    expect(a).toEqual([{ n: 1 }]);
    expect(b).toEqual([{ word: "two" }, { word: "three" }]);
    expect(c).toEqual([]);
    expect(calls).toEqual(["batch of 3"]);
  });

  it("sends a read alone when nothing else started with it, and later reads in their own call", async () => {
    const { d1, calls } = counted();
    const read = coalescedReader(d1);
    expect(await read(sql`SELECT 1 AS n`)).toEqual([{ n: 1 }]);
    expect(await read(sql`SELECT 2 AS n`)).toEqual([{ n: 2 }]);
    expect(calls).toEqual(["all", "all"]);
  });

  it("gives a failing statement's error to its caller alone when the batch fails", async () => {
    const { d1, calls } = counted();
    const read = coalescedReader(d1);
    const [good, bad] = await Promise.allSettled([read(sql`SELECT 1 AS n`), read(sql`SELECT * FROM no_such_table`)]);
    expect(good).toEqual({ status: "fulfilled", value: [{ n: 1 }] });
    expect(bad.status).toBe("rejected");
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/no_such_table/);
    expect(calls).toEqual(["batch of 2", "all", "all"]);
  });

  it("rejects a statement that cannot be bound at once, without holding up the others", async () => {
    const { d1 } = counted();
    const read = coalescedReader(d1);
    const unbound = sql`SELECT ${sql.placeholder("never filled")} AS n`;
    const [bad, good] = await Promise.allSettled([read(unbound), read(sql`SELECT 5 AS n`)]);
    expect(bad.status).toBe("rejected");
    expect(good).toEqual({ status: "fulfilled", value: [{ n: 5 }] });
  });
});
