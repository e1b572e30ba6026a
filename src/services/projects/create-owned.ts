import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { memberships, type Project, REGIONS } from "../../db/schema";
import { ForbiddenError } from "../../lib/errors";
import { isValidTimeZone } from "../../lib/time";
import type { UserContext } from "../context";
import { logChange } from "../ingest/own-events";
import { projectContext } from "../shards/placement";
import { createProject } from "./create";

// Creating a project from the dashboard (README "The dashboard", Projects): what `npm run
// bootstrap` does for an operator — a shard placement in the chosen region, then the project with
// its creator as owner in one batch — for someone who already owns a project (or runs the
// deployment), so an invited member or partner viewer cannot start projects of their own.

export const NewProjectInput = z.object({
  name: z.string().trim().min(1, "enter a name").max(100, "at most 100 characters"),
  timezone: z.string().trim().refine(isValidTimeZone, "not an IANA time zone (e.g. Europe/Berlin or UTC)"),
  region: z.enum(REGIONS, "the region is not default or eu"),
});
export type NewProjectInput = z.output<typeof NewProjectInput>;

/** Whether the user may create projects: they own one, or run the deployment. */
export async function mayCreateProjects(ctx: UserContext): Promise<boolean> {
  const { user } = ctx.actor;
  if (user.operator) return true;
  const [owned] = await ctx.db
    .select({ projectId: memberships.projectId })
    .from(memberships)
    .where(and(eq(memberships.userId, user.id), eq(memberships.role, "owner")))
    .limit(1);
  return owned !== undefined;
}

/** Creates a project owned by the signed-in user and records `project.created` in it. */
export async function createOwnedProject(ctx: UserContext, input: NewProjectInput): Promise<Project> {
  if (!(await mayCreateProjects(ctx)))
    throw new ForbiddenError("Only owners of a project can create projects; ask an owner to invite you instead.");
  const project = await createProject(ctx, { ...input, ownerId: ctx.actor.user.id });
  await logChange(await projectContext(ctx, project), {
    type: "project.created",
    summary: `Project ${project.name} created`,
    entity: { type: "project", id: project.id, name: project.name },
    metadata: { region: project.region, timezone: project.timezone },
  });
  return project;
}
