// The event tables of the control database from before the event shards (README "Storage at
// scale"). Nothing writes them any more; a deployment that predates the shards still holds its
// events here until the adoption task has copied each project's events to its shard
// (src/services/shards/adopt.ts). Declared so drizzle-kit keeps them, and the adoption can read them.

import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Indexes that raw SQL names (`INDEXED BY`), so renaming one here renames it there. */
/**
 * The event log. `data` holds the event exactly as hashed (canonical JSON after redaction); the
 * other columns are copies of the fields the filters (README "Filters") search on, each served by an
 * index that leads with project_id and ends with (occurred_at, id) so a filter plus the time range
 * plus the newest-first order is one index range scan. Append-only: see the triggers migration.
 * Full-text rows (events_fts) and changed fields (event_changes) are written by triggers.
 */
export const legacyEvents = sqliteTable(
  "events",
  {
    /** rowid: the FTS rowid and the key of event_changes; never shown. */
    seq: integer("seq").primaryKey(),
    projectId: text("project_id").notNull(),
    id: text("id").notNull(),
    /** Epoch milliseconds. */
    occurredAt: integer("occurred_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    category: text("category").notNull(),
    type: text("type").notNull(),
    action: text("action").notNull(),
    status: text("status"),
    source: text("source"),
    actorType: text("actor_type"),
    actorId: text("actor_id"),
    actorName: text("actor_name"),
    actorEmail: text("actor_email"),
    entityType: text("entity_type"),
    entityId: text("entity_id"),
    organizationId: text("organization_id"),
    requestId: text("request_id"),
    jobId: text("job_id"),
    requestMethod: text("request_method"),
    requestPath: text("request_path"),
    statusCode: integer("status_code"),
    data: text("data").notNull(),
    hash: text("hash").notNull(),
    /** The request's IP, read from `data` (a virtual column) for the failed-sign-in rule. */
    requestIp: text("request_ip").generatedAlwaysAs(sql`data ->> '$.request.ip'`, { mode: "virtual" }),
  },
  (t) => [
    uniqueIndex("events_project_id").on(t.projectId, t.id),
    index("events_time").on(t.projectId, t.occurredAt, t.id),
    index("events_received").on(t.projectId, t.receivedAt, t.id),
    index("events_category").on(t.projectId, t.category, t.occurredAt, t.id),
    index("events_type").on(t.projectId, t.type, t.occurredAt, t.id),
    index("events_status").on(t.projectId, t.status, t.occurredAt, t.id),
    index("events_source").on(t.projectId, t.source, t.occurredAt, t.id),
    index("events_actor_id").on(t.projectId, t.actorId, t.occurredAt, t.id),
    index("events_actor_type").on(t.projectId, t.actorType, t.occurredAt, t.id),
    index("events_actor_name").on(t.projectId, t.actorName, t.occurredAt, t.id),
    index("events_actor_email").on(t.projectId, t.actorEmail, t.occurredAt, t.id),
    index("events_entity_type").on(t.projectId, t.entityType, t.occurredAt, t.id),
    index("events_entity_id").on(t.projectId, t.entityId, t.occurredAt, t.id),
    index("events_organization").on(t.projectId, t.organizationId, t.occurredAt, t.id),
    index("events_request").on(t.projectId, t.requestId, t.occurredAt, t.id),
    index("events_job").on(t.projectId, t.jobId, t.occurredAt, t.id),
    index("events_request_ip").on(t.projectId, t.requestIp, t.occurredAt),
  ],
);

/** One row per changed field of an event: `status` and, with an entity, `commission.status`. */
export const legacyEventChanges = sqliteTable(
  "event_changes",
  {
    projectId: text("project_id").notNull(),
    field: text("field").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    eventSeq: integer("event_seq").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.field, t.occurredAt, t.eventSeq] }),
    index("event_changes_seq").on(t.eventSeq),
  ],
);

/**
 * Events per project and UTC day of occurred_at (day 0 also holds times before 1970), added to by
 * ingest in the same batch as the events (src/services/ingest/record.ts) and taken from by a delete
 * trigger (migration 0013), so counting a project's events, or a time range of them, reads days
 * instead of every row (src/services/events/query.ts, countQuery).
 */
export const legacyEventCounts = sqliteTable(
  "event_counts",
  {
    projectId: text("project_id").notNull(),
    day: integer("day").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.day] })],
);

/**
 * While a retention run deletes a project's expired events it holds a row here (inside the same
 * D1 batch); the delete trigger refuses any event delete not covered by one.
 */
export const legacyRetentionCutoffs = sqliteTable("retention_cutoffs", {
  projectId: text("project_id").primaryKey(),
  cutoff: integer("cutoff").notNull(),
});

export type LegacyEventRow = typeof legacyEvents.$inferSelect;

/**
 * Distinct values seen per project for the explorer's pickers (types grouped by entity, sources,
 * changed fields, organisations, actors), kept by insert triggers so the filter bar never scans
 * events. Values stay after retention deletes their last event; a stale choice simply finds nothing.
 */
const EVENT_FACETS = ["type", "source", "changed", "organization_id", "actor_id", "category"] as const;

export const legacyEventFacets = sqliteTable(
  "event_facets",
  {
    projectId: text("project_id").notNull(),
    facet: text("facet", { enum: EVENT_FACETS }).notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.facet, t.value] })],
);
