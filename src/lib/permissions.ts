import type { MemberRole } from "../db/schema";

/**
 * The permission matrix (README "Roles"). Every dashboard route and action checks it through
 * `can`, so this table is the one place that decides who may do what.
 */
export const PERMISSIONS = {
  "events.read": ["owner", "admin", "member", "viewer"],
  "events.read_configuration": ["owner", "admin"],
  "events.export": ["owner", "admin", "member", "viewer"],
  "webhooks.read": ["owner", "admin", "member"],
  "webhooks.resend": ["owner", "admin", "member"],
  "webhooks.manage": ["owner", "admin"],
  "streams.manage": ["owner", "admin"],
  "tasks.read": ["owner", "admin", "member"],
  "events.import": ["owner", "admin"],
  "analytics.read": ["owner", "admin", "member", "viewer"],
  "integrity.read": ["owner", "admin", "member"],
  "integrity.publish": ["owner"],
  "settings.read": ["owner", "admin"],
  "settings.update": ["owner", "admin"],
  "members.read": ["owner", "admin"],
  "members.manage": ["owner", "admin"],
  "members.manage_owners": ["owner"],
  "api_keys.manage": ["owner", "admin"],
} as const satisfies Record<string, readonly MemberRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: MemberRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly MemberRole[]).includes(role);
}

/** A membership as the dashboard sees it: the role and, for a partner viewer, their organisation. */
export type Access = { role: MemberRole; organizationId: string | null };
