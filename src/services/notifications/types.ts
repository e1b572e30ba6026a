/** Every kind of notification, with the label members see when choosing e-mails. */
export const NOTIFICATION_TYPES = {
  "security.failed_logins": "Failed sign-in bursts (5 in 10 minutes for one actor or address)",
  "security.large_export": "Exports far larger than usual",
  "security.api_key": "API keys created or revoked",
  "webhook.failing": "A webhook endpoint starts failing",
  "webhook.disabled": "A webhook endpoint was disabled",
  "import.done": "Imports finished",
  "import.failed": "Imports failed",
  "export.ready": "Exports ready",
  "export.failed": "Exports failed",
  "integrity.failed": "Integrity verification found a mismatch",
  "retention.report": "Retention runs",
  "retention.failed": "Retention runs that failed",
} as const;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
