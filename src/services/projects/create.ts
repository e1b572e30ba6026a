import { type Project, projects } from "../../db/schema";
import { InvariantError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { isValidTimeZone } from "../../lib/time";
import type { ServiceContext } from "../context";

export async function createProject(
  ctx: ServiceContext,
  input: { name: string; timezone?: string; retentionDays?: number; redactionKeys?: string[] },
): Promise<Project> {
  const timezone = input.timezone ?? "UTC";
  if (!isValidTimeZone(timezone)) {
    throw new ValidationError(`timezone: "${timezone}" is not an IANA time zone`, [
      { path: "timezone", message: "unknown time zone" },
    ]);
  }
  const [project] = await ctx.db
    .insert(projects)
    .values({
      id: newId("prj"),
      name: input.name,
      timezone,
      retentionDays: input.retentionDays ?? 365,
      redactionKeys: input.redactionKeys ?? [],
      createdAt: Date.now(),
    })
    .returning();
  if (!project) throw new InvariantError("insert into projects returned no row");
  return project;
}
