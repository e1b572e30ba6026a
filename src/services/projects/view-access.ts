import { eq } from "drizzle-orm";
import { type Project, projects } from "../../db/schema";
import type { Access } from "../../lib/permissions";
import type { MemberContext } from "../context";
import { PRESETS } from "../events/presets";
import { logChange } from "../ingest/own-events";

// Views by role (README "Roles"): which of the explorer's category views members and viewers see
// is set per project; owners and admins always see every view. A hidden view is its category
// hidden: every list, count, detail, chart and export of that member leaves it out, as the
// configuration activity is left out for those without its permission.

/** The roles whose views are configured. Custom roles are stored as viewers, so they follow viewers. */
export const CONFIGURED_ROLES = ["member", "viewer"] as const;
export type ConfiguredRole = (typeof CONFIGURED_ROLES)[number];

/** The views that can be hidden: one category each; configuration is governed by its own permission. */
export const HIDEABLE_VIEWS = PRESETS.filter((p) => p.filters.category && !p.filters.type && !p.adminOnly).map((p) => ({
  id: p.id,
  label: p.label,
  category: p.filters.category as string,
}));

const CATEGORY_OF = new Map(HIDEABLE_VIEWS.map((v) => [v.id, v.category]));

/** The categories a member may not see in this project (none for owners and admins). */
export function hiddenCategories(project: Pick<Project, "hiddenViews">, access: Pick<Access, "role">): string[] {
  if (access.role !== "member" && access.role !== "viewer") return [];
  return (project.hiddenViews[access.role] ?? []).flatMap((view) => CATEGORY_OF.get(view) ?? []);
}

/**
 * The settings form: a checkbox `<role>.<view>` per role and view, checked (sent) when the role sees
 * it. Anything else in the form is ignored; what is not sent is hidden.
 */
export function readViewAccessForm(form: Record<string, unknown>): Record<ConfiguredRole, string[]> {
  const hidden = { member: [] as string[], viewer: [] as string[] };
  for (const role of CONFIGURED_ROLES) {
    for (const view of HIDEABLE_VIEWS) if (form[`${role}.${view.id}`] !== "1") hidden[role].push(view.id);
  }
  return hidden;
}

/** Saves which views members and viewers see, and records a `settings.updated` event. */
export async function updateViewAccess(ctx: MemberContext, hidden: Record<ConfiguredRole, string[]>): Promise<Project> {
  const { project } = ctx;
  const before = { member: project.hiddenViews.member ?? [], viewer: project.hiddenViews.viewer ?? [] };
  if (JSON.stringify(before) === JSON.stringify(hidden)) return project;
  const [updated] = await ctx.db
    .update(projects)
    .set({ hiddenViews: hidden })
    .where(eq(projects.id, project.id))
    .returning();
  if (!updated) return project;
  await logChange(
    { ...ctx, project: updated },
    {
      type: "settings.updated",
      summary: "Project settings changed: views by role",
      entity: { type: "project", id: project.id, name: updated.name },
      changes: { hidden_views: [before, hidden] },
    },
  );
  return updated;
}
