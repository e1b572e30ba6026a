import type { NavItem } from "../layouts/Layout";

export type NavAccess = {
  events: boolean;
  settings: boolean;
  exports: boolean;
  tasks: boolean;
  imports: boolean;
  webhooks: boolean;
  manageWebhooks: boolean;
  manageStreams: boolean;
  integrity: boolean;
  analytics: boolean;
  security: boolean;
  unread: number;
};

/** The project navigation; items a role may not use are not shown. */
export function projectNav(projectId: string, access: NavAccess, current: string): NavItem[] {
  const base = `/p/${projectId}`;
  const items: NavItem[] = [{ href: `${base}/events`, label: "Events" }];
  if (access.analytics) items.push({ href: `${base}/analytics`, label: "Analytics" });
  if (access.security) items.push({ href: `${base}/security`, label: "Security" });
  if (access.exports) items.push({ href: `${base}/exports`, label: "Exports" });
  if (access.tasks) items.push({ href: `${base}/tasks`, label: "Tasks" });
  if (access.imports) items.push({ href: `${base}/imports`, label: "Imports" });
  if (access.webhooks) items.push({ href: `${base}/webhooks`, label: "Webhooks" });
  if (access.integrity) items.push({ href: `${base}/integrity`, label: "Integrity" });
  items.push({
    href: `${base}/notifications`,
    label: access.unread ? `Notifications (${access.unread})` : "Notifications",
  });
  if (access.settings) {
    items.push({ href: `${base}/settings`, label: "Settings" });
    items.push({ href: `${base}/settings/members`, label: "Members" });
    items.push({ href: `${base}/settings/api-keys`, label: "API keys" });
    if (access.manageWebhooks) items.push({ href: `${base}/settings/webhooks`, label: "Endpoints" });
    if (access.manageStreams) items.push({ href: `${base}/settings/streams`, label: "Log streams" });
  }
  return items.map((item) => ({ ...item, current: item.href === `${base}${current}` }));
}
