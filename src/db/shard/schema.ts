import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The tables of an event shard, for typed queries. migrations/events/ creates them (by hand:
// WITHOUT ROWID, FTS5 and triggers are beyond drizzle-kit); test/db/shard-schema.test.ts checks
// that every column and index declared here exists in the migrated database.

/** Index names that hand-written SQL names (`INDEXED BY`). */
export const EVENT_INDEXES = { time: "events_time", organization: "events_organization" } as const;

/**
 * The full-text index of events (FTS5, contentless: `body` and the project's time `bucket`) and its
 * vocabulary (`fts5vocab`, one row per term), virtual tables drizzle does not model.
 */
export const FULL_TEXT = { table: "events_fts", terms: "events_fts_terms" } as const;

/** The projects placed on this shard, each with its small number `pn`. */
export const shardProjects = sqliteTable(
  "shard_projects",
  {
    pn: integer("pn").primaryKey(),
    projectId: text("project_id").notNull(),
    /** Set by the last step of a move: the project's writes here fail (see writeGuard). */
    frozen: integer("frozen", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("shard_projects_project_id").on(t.projectId)],
);

/** Never holds a row: inserting one fails its CHECK, which is how a write batch refuses a frozen project. */
export const writeGuard = sqliteTable("write_guard", { frozen: integer("frozen") });

/** The facets whose values are stored as terms (facet 5, actors, has its own table). */
export const FACETS = {
  category: 1,
  type: 2,
  status: 3,
  source: 4,
  actor: 5,
  actor_type: 6,
  entity_type: 7,
  organization: 8,
  changed: 9,
  /** A top-level metadata key (event_metadata.key); not a picker facet of its own. */
  metadata: 10,
} as const;
export type FacetName = keyof typeof FACETS;

/** Dictionary of filter values: events carry the integer. */
export const terms = sqliteTable(
  "terms",
  {
    id: integer("id").primaryKey(),
    facet: integer("facet").notNull(),
    value: text("value").notNull(),
  },
  (t) => [uniqueIndex("terms_facet_value").on(t.facet, t.value)],
);

/** Actors as events name them; '' where a part is missing. */
export const actors = sqliteTable(
  "actors",
  {
    id: integer("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    name: text("name").notNull(),
    email: text("email").notNull(),
  },
  (t) => [
    uniqueIndex("actors_identity").on(t.actorId, t.name, t.email),
    index("actors_email").on(t.email),
    index("actors_name").on(t.name),
  ],
);

/** The folded words of each project's actors' names and e-mails (src/lib/words.ts; WITHOUT ROWID). */
export const actorWords = sqliteTable(
  "actor_words",
  {
    pn: integer("pn").notNull(),
    word: text("word").notNull(),
    actor: integer("actor").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pn, t.word, t.actor] })],
);

export const events = sqliteTable(
  "events",
  {
    /** rowid, in storing order and never reused: the full-text rowid and the key of event_changes. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    pn: integer("pn").notNull(),
    /** Epoch milliseconds. */
    occurredAt: integer("occurred_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    category: integer("category").notNull(),
    type: integer("type").notNull(),
    status: integer("status"),
    source: integer("source"),
    actor: integer("actor"),
    actorType: integer("actor_type"),
    entityType: integer("entity_type"),
    organization: integer("organization"),
    /** SHA-256 of `data`, 32 bytes. */
    hash: blob("hash").notNull(),
    /** The event exactly as hashed: canonical JSON after redaction. */
    data: text("data").notNull(),
    id: text("id").generatedAlwaysAs(sql`data ->> '$.id'`, { mode: "virtual" }),
    entityId: text("entity_id").generatedAlwaysAs(sql`data ->> '$.entity.id'`, { mode: "virtual" }),
    requestId: text("request_id").generatedAlwaysAs(sql`data ->> '$.request.id'`, { mode: "virtual" }),
    jobId: text("job_id").generatedAlwaysAs(sql`data ->> '$.job_id'`, { mode: "virtual" }),
    requestIp: text("request_ip").generatedAlwaysAs(sql`data ->> '$.request.ip'`, { mode: "virtual" }),
  },
  (t) => [
    uniqueIndex("events_id").on(t.pn, t.id),
    index(EVENT_INDEXES.time).on(t.pn, t.occurredAt),
    index("events_received").on(t.pn, t.receivedAt),
    index("events_category").on(t.pn, t.category, t.occurredAt),
    index("events_type").on(t.pn, t.type, t.occurredAt),
    index("events_status").on(t.pn, t.status, t.occurredAt).where(sql`status IS NOT NULL`),
    index("events_source").on(t.pn, t.source, t.occurredAt).where(sql`source IS NOT NULL`),
    index("events_actor").on(t.pn, t.actor, t.occurredAt).where(sql`actor IS NOT NULL`),
    index("events_actor_type").on(t.pn, t.actorType, t.occurredAt).where(sql`actor_type IS NOT NULL`),
    index("events_entity_type").on(t.pn, t.entityType, t.occurredAt).where(sql`entity_type IS NOT NULL`),
    index(EVENT_INDEXES.organization).on(t.pn, t.organization, t.occurredAt).where(sql`organization IS NOT NULL`),
    index("events_entity_id").on(t.pn, t.entityId, t.occurredAt).where(sql`entity_id IS NOT NULL`),
    index("events_request").on(t.pn, t.requestId, t.occurredAt).where(sql`request_id IS NOT NULL`),
    index("events_job").on(t.pn, t.jobId, t.occurredAt).where(sql`job_id IS NOT NULL`),
    index("events_request_ip").on(t.pn, t.requestIp, t.occurredAt).where(sql`request_ip IS NOT NULL`),
  ],
);

/** One row per changed field of an event (WITHOUT ROWID in the migration). */
export const eventChanges = sqliteTable(
  "event_changes",
  {
    pn: integer("pn").notNull(),
    field: integer("field").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    seq: integer("seq").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pn, t.field, t.occurredAt, t.seq] }), index("event_changes_seq").on(t.seq)],
);

/**
 * One row per top-level scalar metadata value of an event (WITHOUT ROWID), for `metadata.<key>:`
 * filters: the key as a term, the value as text (README "Filters").
 */
export const eventMetadata = sqliteTable(
  "event_metadata",
  {
    pn: integer("pn").notNull(),
    key: integer("key").notNull(),
    value: text("value").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    seq: integer("seq").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pn, t.key, t.value, t.occurredAt, t.seq] }), index("event_metadata_seq").on(t.seq)],
);

/** How far the metadata rows of events stored before event_metadata existed are filled in (one row, while any are left). */
export const metadataBackfill = sqliteTable("metadata_backfill", {
  id: integer("id").primaryKey(),
  /** Events with a smaller seq still lack their metadata rows. */
  below: integer("below").notNull(),
});

/** The length of an event_counts day. */
export const COUNT_DAY_MS = 86_400_000;

/** Events per project and UTC day of occurred_at (WITHOUT ROWID). */
export const eventCounts = sqliteTable(
  "event_counts",
  {
    pn: integer("pn").notNull(),
    day: integer("day").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pn, t.day] })],
);

/** Values seen per project (organization 0) and per organisation, for the pickers (WITHOUT ROWID). */
export const eventFacets = sqliteTable(
  "event_facets",
  {
    pn: integer("pn").notNull(),
    organization: integer("organization").notNull(),
    facet: integer("facet").notNull(),
    value: integer("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pn, t.organization, t.facet, t.value] })],
);

/** Deliveries owed for stored events, until they are written to the control database's sendouts. */
export const webhookOutbox = sqliteTable("webhook_outbox", {
  id: integer("id").primaryKey(),
  pn: integer("pn").notNull(),
  endpointId: text("endpoint_id").notNull(),
  eventId: text("event_id").notNull(),
  eventType: text("event_type").notNull(),
  requestId: text("request_id"),
  createdAt: integer("created_at").notNull(),
});

/** A retention run's or a move's permission to delete a project's events older than `cutoff`. */
export const deleteCutoffs = sqliteTable("delete_cutoffs", {
  pn: integer("pn").primaryKey(),
  cutoff: integer("cutoff").notNull(),
});

/**
 * The customer's signature of the request that carried an event (README "Customer-side
 * signatures"), by the event's seq; written in the same batch as the event, deleted with it.
 */
export const eventSignatures = sqliteTable("event_signatures", {
  seq: integer("seq").primaryKey(),
  pn: integer("pn").notNull(),
  /** The API key whose public key verified it. */
  keyId: text("key_id").notNull(),
  /** Ed25519 over the exact request body, base64url. */
  signature: text("signature").notNull(),
});

export type ShardEventRow = typeof events.$inferSelect;
