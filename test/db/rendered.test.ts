import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { renderedOnce } from "../../src/db/rendered";
import { users } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { systemContext } from "../fixtures";

describe("statements rendered once", () => {
  it("builds its statements once, and binds each run's own values into them", async () => {
    const { db } = systemContext();
    const ids = [newId("usr"), newId("usr")];
    for (const [i, id] of ids.entries())
      await db
        .insert(users)
        .values({ id, email: `${id}@example.com`, name: `rendered ${i}`, passwordHash: "-", createdAt: i });
    let built = 0;
    const batch = renderedOnce((d) => {
      built++;
      return [
        d
          .select({ name: users.name })
          .from(users)
          .where(eq(users.id, sql.placeholder("id")))
          .prepare(),
        // A fixed value stays in the statement; the placeholder changes from run to run.
        d
          .select({ n: sql<number>`count(*)`.as("n") })
          .from(users)
          .where(sql`${users.id} IN (${sql.placeholder("id")}, ${"no such user"})`)
          .prepare(),
      ] as const;
    });
    expect(await batch(db, { id: ids[0] })).toEqual([[{ name: "rendered 0" }], [{ n: 1 }]]);
    expect(await batch(db, { id: ids[1] })).toEqual([[{ name: "rendered 1" }], [{ n: 1 }]]);
    expect(await batch(db, { id: "nobody" })).toEqual([[], [{ n: 0 }]]);
    expect(built).toBe(1);
  });
});
