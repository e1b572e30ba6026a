import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const API_KEY_SCOPES = ["ingest", "read", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    scope: text("scope", { enum: API_KEY_SCOPES }).notNull(),
    /** SHA-256 hex of the whole key; the key itself is shown once and never stored. */
    keyHash: text("key_hash").notNull(),
    /** First characters of the key, so people can tell keys apart in lists. */
    prefix: text("prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    /**
     * The customer's Ed25519 public key (base64url, 32 bytes), when the key signs what it posts:
     * every event request with this key must then carry a valid X-Trailbook-Signature.
     */
    publicKey: text("public_key"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.keyHash), index("api_keys_project").on(t.projectId, t.createdAt)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
