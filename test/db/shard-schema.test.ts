import { env } from "cloudflare:test";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as shard from "../../src/db/shard/schema";

const tables: SQLiteTable[] = Object.values(shard).flatMap((v) => (is(v, SQLiteTable) ? [v] : []));

describe("event shard schema", () => {
  it("declares for drizzle exactly the columns and indexes the migration creates", async () => {
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) {
      const config = getTableConfig(table);
      const { results: columns } = await env.EVENTS_1.prepare("SELECT name FROM pragma_table_xinfo(?)")
        .bind(config.name)
        .all<{ name: string }>();
      expect(columns.map((c) => c.name).sort(), config.name).toEqual(config.columns.map((c) => c.name).sort());
      const { results: indexes } = await env.EVENTS_1.prepare(
        "SELECT name FROM pragma_index_list(?) WHERE origin = 'c'",
      )
        .bind(config.name)
        .all<{ name: string }>();
      expect(indexes.map((i) => i.name).sort(), config.name).toEqual(config.indexes.map((i) => i.config.name).sort());
    }
  });

  it("refuses updates of events and deletes without a cutoff, and a write guard row", async () => {
    const db = env.EVENTS_2;
    await db.batch([
      db.prepare("INSERT INTO shard_projects (project_id) VALUES ('prj_a')"),
      db.prepare("INSERT INTO terms (facet, value) VALUES (1, 'activity'), (2, 'a.b')"),
      db.prepare(
        `INSERT INTO events (pn, occurred_at, received_at, category, type, hash, data) VALUES (1, 5, 5, 1, 2, unhex('00'), '{"id":"e1"}')`,
      ),
    ]);
    await expect(db.prepare("UPDATE events SET received_at = 6").run()).rejects.toThrow(/append-only/);
    await expect(db.prepare("DELETE FROM events").run()).rejects.toThrow(/retention or a move/);
    await expect(db.prepare("INSERT INTO write_guard (frozen) VALUES (1)").run()).rejects.toThrow(/CHECK/);
    const row = await db.prepare("SELECT id, hex(hash) AS hash FROM events").first();
    expect(row).toEqual({ id: "e1", hash: "00" });
  });
});
