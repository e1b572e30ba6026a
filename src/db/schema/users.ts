import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lower-cased; unique. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` */
    passwordHash: text("password_hash").notNull(),
    /** TOTP secret sealed with SECRETS_KEY (lib/secret-box); set once enrolment is confirmed. */
    totpSecret: text("totp_secret"),
    /** The last accepted TOTP time step, so a code cannot be used twice. */
    totpLastCounter: integer("totp_last_counter"),
    /**
     * Set on accounts an admin made with a one-time password, before invitations replaced that:
     * they change it at first sign-in.
     */
    mustChangePassword: integer("must_change_password", { mode: "boolean" }).notNull().default(false),
    /** Runs the deployment: sees the event shards and moves projects (README "Storage at scale"). */
    operator: integer("operator", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("users_email").on(t.email)],
);

export const MEMBER_ROLES = ["owner", "admin", "member", "viewer"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const memberships = sqliteTable(
  "memberships",
  {
    projectId: text("project_id").notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: MEMBER_ROLES }).notNull(),
    /** Set for a partner viewer: they see only this organisation's events. */
    organizationId: text("organization_id"),
    /**
     * A custom role of the project (`roles`): when set, its permissions replace the built-in role's,
     * and `role` is kept at `viewer`, so any check that reads `role` alone errs on the side of less.
     */
    roleId: text("role_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.userId] }),
    index("memberships_user").on(t.userId),
    index("memberships_role").on(t.roleId),
  ],
);

export type User = typeof users.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
