import { eq } from "drizzle-orm";
import { z } from "zod";
import { type Project, projects } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { isValidTimeZone } from "../../lib/time";
import type { MemberContext } from "../context";
import { logChange } from "../ingest/own-events";
import { forgetProject } from "../key-cache";

export const ProjectSettingsInput = z.object({
  name: z.string().trim().min(1, "enter a name").max(100),
  timezone: z.string().trim().refine(isValidTimeZone, "not an IANA time zone (e.g. Europe/Berlin or UTC)"),
  retention_days: z.coerce
    .number()
    .int("a whole number of days")
    .min(1, "at least 1 day")
    .max(3650, "at most 3650 days (10 years)"),
  redaction_keys: z
    .string()
    .max(2000)
    .transform((text) => [
      ...new Set(
        text
          .split(/[\s,]+/)
          .map((k) => k.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "keys are letters, digits and _ . - (at most 64)"))
        .max(50, "at most 50 keys"),
    ),
  /** A checkbox: present ("1") when checked. */
  archive: z
    .enum(["1"])
    .optional()
    .transform((v) => v === "1"),
  /** A checkbox, owners only (README "Published roots"); others' forms leave the setting as it is. */
  publish_digests: z
    .enum(["1"])
    .optional()
    .transform((v) => v === "1"),
});
export type ProjectSettingsInput = z.output<typeof ProjectSettingsInput>;

/** Updates a project's settings and records a `settings.updated` event with what changed. */
export async function updateProjectSettings(ctx: MemberContext, settings: ProjectSettingsInput): Promise<Project> {
  const { project } = ctx;
  const next = {
    name: settings.name,
    timezone: settings.timezone,
    retentionDays: settings.retention_days,
    redactionKeys: settings.redaction_keys,
    archiveEnabled: settings.archive,
    publishDigests: can(ctx.actor.access, "integrity.publish") ? settings.publish_digests : project.publishDigests,
  };
  const changes: Record<string, [unknown, unknown]> = {};
  if (project.name !== next.name) changes.name = [project.name, next.name];
  if (project.timezone !== next.timezone) changes.timezone = [project.timezone, next.timezone];
  if (project.retentionDays !== next.retentionDays)
    changes.retention_days = [project.retentionDays, next.retentionDays];
  if (JSON.stringify(project.redactionKeys) !== JSON.stringify(next.redactionKeys))
    changes.redaction_keys = [project.redactionKeys, next.redactionKeys];
  if (project.archiveEnabled !== next.archiveEnabled)
    changes.archive_before_delete = [project.archiveEnabled, next.archiveEnabled];
  if (project.publishDigests !== next.publishDigests)
    changes.publish_digests = [project.publishDigests, next.publishDigests];
  if (Object.keys(changes).length === 0) return project;
  const [updated] = await ctx.db.update(projects).set(next).where(eq(projects.id, project.id)).returning();
  if (!updated) throw new NotFoundError("The project was deleted while its settings were being saved.");
  forgetProject(project.id);
  await logChange(
    { ...ctx, project: updated },
    {
      type: "settings.updated",
      summary: `Project settings changed: ${Object.keys(changes).join(", ").replace(/_/g, " ")}`,
      entity: { type: "project", id: project.id, name: updated.name },
      changes,
    },
  );
  return updated;
}
