import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Log streams (README "Log streams"): a project's events pushed to a security tool in the order
// they were stored, from a cursor of the events feed that advances only after the destination
// accepted a batch.

export const STREAM_DESTINATIONS = ["splunk_hec", "datadog", "s3", "https"] as const;
export type StreamDestinationType = (typeof STREAM_DESTINATIONS)[number];
export const STREAM_FORMATS = ["trailbook", "ocsf"] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];
export const STREAM_STATES = ["active", "paused", "disabled"] as const;
export type StreamState = (typeof STREAM_STATES)[number];

export const logStreams = sqliteTable(
  "log_streams",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    destinationType: text("destination_type", { enum: STREAM_DESTINATIONS }).notNull(),
    /** The destination's settings without its secrets (URL, index, site, bucket, …). */
    destination: text("destination", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** The destination's secrets as one sealed JSON object (lib/secret-box): tokens, keys, the signing secret. */
    secrets: text("secrets").notNull(),
    /** Search syntax; '' streams every event. */
    filter: text("filter").notNull().default(""),
    format: text("format", { enum: STREAM_FORMATS }).notNull(),
    state: text("state", { enum: STREAM_STATES }).notNull(),
    disabledReason: text("disabled_reason"),
    /** Feed position after the last event the destination accepted. */
    cursor: text("cursor").notNull(),
    /** Raised by every replay, so a replayed batch gets a new batch id (receivers drop repeats by id). */
    generation: integer("generation").notNull().default(0),
    /** After a failed batch: where it ended, so the retry sends exactly the same batch under the same id. */
    retryEnd: text("retry_end"),
    /** Failed batches in a row; the delay before the next try grows with it. */
    failures: integer("failures").notNull().default(0),
    /** Set at the first failure after a success; three days of failures disable the stream. */
    failingSince: integer("failing_since"),
    lastError: text("last_error"),
    lastErrorAt: integer("last_error_at"),
    lastDeliveredAt: integer("last_delivered_at"),
    deliveredEvents: integer("delivered_events").notNull().default(0),
    lastTestAt: integer("last_test_at"),
    lastTestResult: text("last_test_result"),
    /** When the next run is due; the sweep re-sends the message of an active stream well past it. */
    nextRunAt: integer("next_run_at"),
    /** One run at a time: a run holds the lease (its token, until) while it delivers. */
    leaseToken: text("lease_token"),
    leaseUntil: integer("lease_until"),
    pausedAt: integer("paused_at"),
    replayedAt: integer("replayed_at"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("log_streams_project").on(t.projectId, t.createdAt), index("log_streams_due").on(t.state, t.nextRunAt)],
);

export type LogStream = typeof logStreams.$inferSelect;
