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
  /** The unread badge's text ("3", "99+"), none when nothing is unread. */
  unread?: string | undefined;
};

/** A top-level item and the pages grouped under it (shown as tabs on those pages). */
type Section = { item: NavItem; pages: NavItem[] };

/** The project's navigation: the top-level items and the tabs of the current one. */
export type ProjectNav = { items: NavItem[]; tabs: NavItem[]; notifications: NavItem };

/**
 * At most six top-level items fit one row at 1280 px beside the project switcher and the user
 * menu; the rest are tabs of their section. Items a role may not use are not shown.
 */
export function projectNav(projectId: string, access: NavAccess, current: string): ProjectNav {
  const base = `/p/${projectId}`;
  const page = (path: string, label: string): NavItem => ({ href: `${base}${path}`, label });
  const sections: Section[] = [{ item: page("/events", "Events"), pages: [] }];
  if (access.analytics) sections.push({ item: page("/analytics", "Analytics"), pages: [] });
  if (access.webhooks) sections.push({ item: page("/webhooks", "Webhooks"), pages: [] });
  const background = [
    access.exports && page("/exports", "Exports"),
    access.tasks && page("/tasks", "Tasks"),
    access.imports && page("/imports", "Imports"),
  ].filter((x): x is NavItem => Boolean(x));
  const first = background[0];
  if (first)
    sections.push({
      item: { href: first.href, label: background.length > 1 ? "Exports & tasks" : first.label },
      pages: background,
    });
  if (access.integrity) sections.push({ item: page("/integrity", "Integrity"), pages: [] });
  if (access.settings) {
    const settings = [
      page("/settings", "Project"),
      page("/settings/members", "Members"),
      page("/settings/api-keys", "API keys"),
    ];
    if (access.manageWebhooks) settings.push(page("/settings/webhooks", "Endpoints"));
    if (access.manageStreams) settings.push(page("/settings/streams", "Log streams"));
    if (access.security) settings.push(page("/security", "Security"));
    settings.push(page("/settings/embedding", "Embedding"));
    sections.push({ item: page("/settings", "Settings"), pages: settings });
  }
  const here = `${base}${current}`;
  const mark = (item: NavItem): NavItem => ({ ...item, current: item.href === here });
  const active = sections.find((s) => s.item.href === here || s.pages.some((p) => p.href === here));
  return {
    items: sections.map((s) => ({ ...s.item, current: s === active })),
    tabs: active && active.pages.length > 1 ? active.pages.map(mark) : [],
    notifications: {
      ...mark(page("/notifications", "Notifications")),
      label: access.unread ? `Notifications (${access.unread})` : "Notifications",
    },
  };
}
