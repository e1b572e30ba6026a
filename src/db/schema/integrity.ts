import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Hourly integrity digests (README "Retention, archives and integrity"): per project and window of
 * received_at, the Merkle root of the events' hashes, chained to the previous digest and signed
 * with the deployment's Ed25519 key. Never deleted by retention, so old windows can still be
 * reported as pruned rather than broken.
 */
export const digests = sqliteTable(
  "digests",
  {
    projectId: text("project_id").notNull(),
    windowStart: integer("window_start").notNull(),
    windowEnd: integer("window_end").notNull(),
    eventCount: integer("event_count").notNull(),
    root: text("root").notNull(),
    previousHash: text("previous_hash").notNull(),
    hash: text("hash").notNull(),
    signature: text("signature").notNull(),
    keyId: text("key_id").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When its public copy was written (R2 `public/digests/…`); null until then. */
    publishedAt: integer("published_at"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.windowStart] }),
    index("digests_project_end").on(t.projectId, t.windowEnd),
    index("digests_unpublished").on(t.projectId, t.windowStart).where(sql`published_at IS NULL`),
  ],
);

/**
 * Epochs: a Merkle tree over a run of a project's digest hashes (8,760 of them, about a year of
 * hours), chained to the previous epoch and signed, so one root covers a year of digests.
 */
export const epochs = sqliteTable(
  "epochs",
  {
    projectId: text("project_id").notNull(),
    epoch: integer("epoch").notNull(),
    firstWindowStart: integer("first_window_start").notNull(),
    windowEnd: integer("window_end").notNull(),
    digestCount: integer("digest_count").notNull(),
    root: text("root").notNull(),
    previousHash: text("previous_hash").notNull(),
    hash: text("hash").notNull(),
    signature: text("signature").notNull(),
    keyId: text("key_id").notNull(),
    createdAt: integer("created_at").notNull(),
    publishedAt: integer("published_at"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.epoch] }), index("epochs_project_end").on(t.projectId, t.windowEnd)],
);

export type Epoch = typeof epochs.$inferSelect;

/** Archived days (gzip JSON Lines in R2), written by retention before it deletes them. */
export const archives = sqliteTable(
  "archives",
  {
    projectId: text("project_id").notNull(),
    fileKey: text("file_key").notNull(),
    day: text("day").notNull(),
    eventCount: integer("event_count").notNull(),
    bytes: integer("bytes").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.fileKey] }), index("archives_project_day").on(t.projectId, t.day)],
);

export type Digest = typeof digests.$inferSelect;
export type Archive = typeof archives.$inferSelect;

/** Hours of received_at from which retention deleted events: their digests can no longer be checked. */
export const prunedWindows = sqliteTable(
  "pruned_windows",
  {
    projectId: text("project_id").notNull(),
    windowStart: integer("window_start").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.windowStart] })],
);
