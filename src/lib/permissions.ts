import type { MemberRole, ViewerFilters } from "../db/schema";

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
  "alerts.manage": ["owner", "admin"],
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
  "roles.manage": ["owner"],
  "api_keys.manage": ["owner", "admin"],
} as const satisfies Record<string, readonly MemberRole[]>;

export type Permission = keyof typeof PERMISSIONS;

/** What each permission lets one do, as the Roles page offers it. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  "events.read": "See and open events",
  "events.read_configuration": "See configuration activity and the Security view",
  "events.export": "Export events",
  "webhooks.read": "See webhook sendouts",
  "webhooks.resend": "Resend webhook sendouts",
  "webhooks.manage": "Manage webhook endpoints",
  "streams.manage": "Manage log streams",
  "alerts.manage": "Manage alert rules and see their alerts",
  "tasks.read": "See background tasks",
  "events.import": "Import events",
  "analytics.read": "See analytics",
  "integrity.read": "See integrity digests and proofs",
  "integrity.publish": "Publish the project's digests",
  "settings.read": "See project settings",
  "settings.update": "Change project settings",
  "members.read": "See members",
  "members.manage": "Invite, change and remove members",
  "members.manage_owners": "Add, change or remove owners",
  "roles.manage": "Define custom roles",
  "api_keys.manage": "Create and revoke API keys",
};

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}

/** A project's custom role as a membership carries it: its own set replaces the built-in role's. */
export type CustomRole = { id: string; name: string; permissions: readonly Permission[] };

/**
 * A membership as the dashboard sees it: the role and, for a partner viewer, their organisation;
 * with a custom role, that role (its `role` is then `viewer`, and only the custom set counts).
 */
export type Access = {
  role: MemberRole;
  organizationId: string | null;
  customRole?: CustomRole | null | undefined;
  /** An embedded viewer's fixed filters (README "Embeddable viewer"), applied like the organisation. */
  limits?: ViewerFilters | undefined;
  /** Categories whose views the project hides from this role (README "Roles", Views by role). */
  hiddenCategories?: string[] | undefined;
};

export function can(access: Access, permission: Permission): boolean {
  if (access.customRole) return access.customRole.permissions.includes(permission);
  return (PERMISSIONS[permission] as readonly MemberRole[]).includes(access.role);
}

/** Every permission the access holds. */
export function permissionsOf(access: Access): Permission[] {
  return ALL_PERMISSIONS.filter((p) => can(access, p));
}

/** The role's name as people read it: `admin`, or a custom role's own name. */
export function roleName(access: Access): string {
  return access.customRole ? access.customRole.name : access.role;
}
