import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { MEMBER_ROLES } from "./users";

/**
 * Dashboard sessions. The cookie holds a random token; only its SHA-256 is stored. A session is
 * `pending_totp` between a correct password and the second step, and only `active` ones sign in.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    stage: text("stage", { enum: ["pending_totp", "active"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    /** Absolute expiry; idle expiry is lastSeenAt + the idle timeout. */
    expiresAt: integer("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("sessions_token").on(t.tokenHash), index("sessions_user").on(t.userId, t.createdAt)],
);

/** Failed sign-ins per key (`email:…` or `ip:…`) within a window, for throttling. */
export const loginThrottle = sqliteTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStart: integer("window_start").notNull(),
});

/** One-time recovery codes for TOTP, stored as SHA-256 hashes. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    userId: text("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/**
 * An invitation to a project: the link carries a random token, stored hashed. It is the only way
 * into a project, for new and existing accounts alike, so every membership was accepted by its user.
 */
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    email: text("email").notNull(),
    role: text("role", { enum: MEMBER_ROLES }).notNull(),
    organizationId: text("organization_id"),
    /** A custom role to join with (memberships.role_id). */
    roleId: text("role_id"),
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    revokedAt: integer("revoked_at"),
    /** Set when the invited account turned it down (signed in, from its list of invitations). */
    declinedAt: integer("declined_at"),
  },
  (t) => [uniqueIndex("invites_token").on(t.tokenHash), index("invites_project").on(t.projectId, t.createdAt)],
);

/**
 * A password reset link (README "Forgot password"): the token in the link is random, only its
 * SHA-256 is stored; it works once, for 30 minutes.
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [uniqueIndex("password_resets_token").on(t.tokenHash), index("password_resets_user").on(t.userId)],
);

export type Session = typeof sessions.$inferSelect;
export type Invite = typeof invites.$inferSelect;
