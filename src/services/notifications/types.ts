import { type Access, can, type Permission } from "../../lib/permissions";

/** Every kind of notification, with the label members see when choosing e-mails. */
export const NOTIFICATION_TYPES = {
  "security.failed_logins": "Failed sign-in bursts (5 in 10 minutes for one actor or address)",
  "security.large_export": "Exports far larger than usual",
  "security.api_key": "API keys created or revoked",
  "webhook.failing": "A webhook endpoint starts failing",
  "webhook.disabled": "A webhook endpoint was disabled",
  "stream.failing": "A log stream starts failing",
  "stream.disabled": "A log stream was disabled",
  "import.done": "Imports finished",
  "import.failed": "Imports failed",
  "export.ready": "Exports ready",
  "export.failed": "Exports failed",
  "integrity.failed": "Integrity verification found a mismatch",
  "retention.report": "Retention runs",
  "retention.failed": "Retention runs that failed",
} as const;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;

/**
 * Who may see each kind (README "Roles"): `addressed` for a notification meant for one
 * member, `everyone` for one meant for every member who may see its kind. Security and configuration
 * kinds name other people's e-mail addresses, IP addresses, keys and endpoint URLs, so they are for
 * owners and admins; an export started with an API key holds the whole project, configuration
 * activity included. A partner viewer never sees a project-wide notification, only those meant for
 * them (their own exports).
 */
export const NOTIFICATION_AUDIENCE: Record<NotificationType, { addressed: Permission; everyone: Permission }> = {
  "security.failed_logins": { addressed: "events.read_configuration", everyone: "events.read_configuration" },
  "security.large_export": { addressed: "events.read_configuration", everyone: "events.read_configuration" },
  "security.api_key": { addressed: "api_keys.manage", everyone: "api_keys.manage" },
  "webhook.failing": { addressed: "webhooks.manage", everyone: "webhooks.manage" },
  "webhook.disabled": { addressed: "webhooks.manage", everyone: "webhooks.manage" },
  "stream.failing": { addressed: "streams.manage", everyone: "streams.manage" },
  "stream.disabled": { addressed: "streams.manage", everyone: "streams.manage" },
  "import.done": { addressed: "tasks.read", everyone: "tasks.read" },
  "import.failed": { addressed: "tasks.read", everyone: "tasks.read" },
  "export.ready": { addressed: "events.export", everyone: "events.read_configuration" },
  "export.failed": { addressed: "events.export", everyone: "events.read_configuration" },
  "integrity.failed": { addressed: "integrity.read", everyone: "integrity.read" },
  "retention.report": { addressed: "tasks.read", everyone: "tasks.read" },
  "retention.failed": { addressed: "tasks.read", everyone: "tasks.read" },
};

/** A kind not listed above (an old row, say) is treated as the most restricted. */
export const UNKNOWN_AUDIENCE: Permission = "settings.read";

/** The kinds `access` can ever receive, for the e-mail choices. */
export function notificationTypesFor(access: Access): NotificationType[] {
  return (Object.keys(NOTIFICATION_AUDIENCE) as NotificationType[]).filter((type) => {
    const audience = NOTIFICATION_AUDIENCE[type];
    return can(access.role, audience.addressed) || (!access.organizationId && can(access.role, audience.everyone));
  });
}
