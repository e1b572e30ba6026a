import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A project's webhook endpoint. Secrets are sealed (lib/secret-box): they sign, so they must be read back. */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** `*`, `commission.*` or exact types. */
    eventTypes: text("event_types", { mode: "json" }).$type<string[]>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    secret: text("secret").notNull(),
    /** After a rotation the old secret still signs (a second signature) until this time. */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    disabledReason: text("disabled_reason"),
    /** Set at the first failure after a success; five days of failures disable the endpoint. */
    failingSince: integer("failing_since"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_project").on(t.projectId, t.createdAt)],
);

export const SENDOUT_STATUSES = ["pending", "sent", "retry", "error"] as const;
export type SendoutStatus = (typeof SENDOUT_STATUSES)[number];
/** A sendout still to be delivered (its first attempt, or a retry). */
export const UNSENT_SENDOUT_STATUSES = ["pending", "retry"] as const satisfies readonly SendoutStatus[];

/** What made a delivery attempt: the fan-out of a new event, a resend, a recovery, a test. */
export const WEBHOOK_TRIGGERS = ["auto", "resend", "recover", "test"] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/** One event delivered to one endpoint; its id is the stable `webhook-id` across retries. */
export const webhookSendouts = sqliteTable(
  "webhook_sendouts",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    eventSeq: integer("event_seq"),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    requestId: text("request_id"),
    status: text("status", { enum: SENDOUT_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    nextAttemptAt: integer("next_attempt_at"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("webhook_sendouts_project").on(t.projectId, t.createdAt),
    index("webhook_sendouts_status").on(t.projectId, t.status, t.createdAt),
    index("webhook_sendouts_endpoint").on(t.projectId, t.endpointId, t.createdAt),
    index("webhook_sendouts_event").on(t.projectId, t.eventId),
    index("webhook_sendouts_sent").on(t.projectId, t.sentAt),
    index("webhook_sendouts_due").on(t.status, t.updatedAt),
  ],
);

/** Every delivery attempt, kept: what was sent and what came back. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    sendoutId: text("sendout_id").notNull(),
    projectId: text("project_id").notNull(),
    trigger: text("trigger", { enum: WEBHOOK_TRIGGERS }).notNull(),
    startedAt: integer("started_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    requestHeaders: text("request_headers", { mode: "json" }).$type<Record<string, string>>().notNull(),
    responseStatus: integer("response_status"),
    responseExcerpt: text("response_excerpt"),
    error: text("error"),
  },
  (t) => [index("webhook_attempts_sendout").on(t.sendoutId, t.startedAt)],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookSendout = typeof webhookSendouts.$inferSelect;
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;
