import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Who is looking through an embedded viewer, as the vendor named them (for attribution only). */
export type ViewerActor = { id: string; name?: string | undefined; email?: string | undefined };
/** Filters a viewer token fixes: type prefixes (`user.*`, exact types) and a time floor (epoch ms). */
export type ViewerFilters = { types?: string[] | undefined; from?: number | undefined };
export const VIEWER_PERMISSIONS = ["read", "export"] as const;
export type ViewerPermission = (typeof VIEWER_PERMISSIONS)[number];
export const EMBED_MODES = ["light", "dark"] as const;
export const EMBED_DENSITIES = ["comfortable", "compact"] as const;
/** How an embedded viewer looks; a token's claims override the project's settings field by field. */
export type EmbedTheme = {
  accent?: string | undefined;
  mode?: (typeof EMBED_MODES)[number] | undefined;
  density?: (typeof EMBED_DENSITIES)[number] | undefined;
  columns?: string[] | undefined;
};

/**
 * A viewer token and the session it becomes (README "Embeddable viewer"). The token is single use:
 * redeeming it sets `redeemedAt` and `sessionHash` in one guarded update. Only SHA-256 hashes of
 * the token and of the session cookie are stored.
 */
export const viewerSessions = sqliteTable(
  "viewer_sessions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    organizationId: text("organization_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    sessionHash: text("session_hash"),
    actor: text("actor", { mode: "json" }).$type<ViewerActor>().notNull(),
    filters: text("filters", { mode: "json" }).$type<ViewerFilters>().notNull(),
    permissions: text("permissions", { mode: "json" }).$type<ViewerPermission[]>().notNull(),
    theme: text("theme", { mode: "json" }).$type<EmbedTheme>().notNull(),
    /** The key that minted it. */
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    tokenExpiresAt: integer("token_expires_at").notNull(),
    /** How long the session lasts once redeemed, in ms (at most an hour). */
    sessionTtlMs: integer("session_ttl_ms").notNull(),
    redeemedAt: integer("redeemed_at"),
    sessionExpiresAt: integer("session_expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("viewer_sessions_token").on(t.tokenHash),
    uniqueIndex("viewer_sessions_session").on(t.sessionHash),
    index("viewer_sessions_org").on(t.projectId, t.organizationId),
  ],
);

/** A project's embedding rules: the origins that may frame the viewer (none: nobody) and its look. */
export const embedSettings = sqliteTable("embed_settings", {
  projectId: text("project_id").primaryKey(),
  allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull(),
  theme: text("theme", { mode: "json" }).$type<EmbedTheme>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type ViewerSession = typeof viewerSessions.$inferSelect;
export type EmbedSettings = typeof embedSettings.$inferSelect;
