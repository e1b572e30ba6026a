import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const SHARD_STATES = ["open", "closed", "draining"] as const;
export type ShardState = (typeof SHARD_STATES)[number];

export const REGIONS = ["default", "eu"] as const;
export type Region = (typeof REGIONS)[number];

/**
 * The event shards this deployment has seen: a row per D1 binding named EVENTS_<n> or
 * EVENTS_EU_<n> (the name gives the region), added the first time placement lists the bindings.
 * `open` shards take new projects; a shard whose measured size passes the close threshold is
 * `closed`; an operator marks one `draining` to move its projects away.
 */
export const shards = sqliteTable("shards", {
  binding: text("binding").primaryKey(),
  region: text("region", { enum: REGIONS }).notNull(),
  state: text("state", { enum: SHARD_STATES }).notNull().default("open"),
  /** The database's size in bytes, from D1's meta.size_after, and when it was read. */
  sizeBytes: integer("size_bytes").notNull().default(0),
  measuredAt: integer("measured_at"),
  createdAt: integer("created_at").notNull(),
});

/**
 * Where each project's events live: its home shard and its number there (`pn`); while a move
 * runs, the shard it is being copied to and its number there.
 */
export const placements = sqliteTable(
  "placements",
  {
    projectId: text("project_id").primaryKey(),
    shard: text("shard").notNull(),
    pn: integer("pn").notNull(),
    targetShard: text("target_shard"),
    targetPn: integer("target_pn"),
    moveTaskId: text("move_task_id"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("placements_shard").on(t.shard)],
);

export type Shard = typeof shards.$inferSelect;
export type Placement = typeof placements.$inferSelect;
