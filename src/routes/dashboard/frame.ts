import type { Context } from "hono";
import { projectNav } from "../../../views/components/nav";
import type { ProjectEnv } from "../../env";
import { can } from "../../lib/permissions";

/** The frame every project page shares: the user, the project and the navigation their role allows. */
export function frame(c: Context<ProjectEnv>, current: string) {
  const { project, access } = c.var;
  return {
    nonce: c.get("secureHeadersNonce"),
    user: c.var.user,
    project,
    nav: projectNav(
      project.id,
      {
        events: true,
        settings: can(access.role, "settings.read"),
        exports: can(access.role, "events.export"),
        tasks: can(access.role, "tasks.read"),
        imports: can(access.role, "events.import"),
        webhooks: can(access.role, "webhooks.read"),
        manageWebhooks: can(access.role, "webhooks.manage"),
        integrity: can(access.role, "integrity.read"),
        analytics: can(access.role, "analytics.read"),
        security: can(access.role, "events.read_configuration"),
        unread: c.var.unread,
      },
      current,
    ),
  };
}
