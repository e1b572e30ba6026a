import { memberships, type Project, placements, projects, type Region } from "../../db/schema";
import { InvariantError, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { isValidTimeZone } from "../../lib/time";
import type { ServiceContext } from "../context";
import { placeNewProject } from "../shards/placement";

export async function createProject(
  ctx: ServiceContext,
  input: {
    name: string;
    timezone?: string;
    retentionDays?: number;
    redactionKeys?: string[];
    region?: Region;
    /** Made its owner in the same batch, so the project never exists without one. */
    ownerId?: string;
  },
): Promise<Project> {
  const timezone = input.timezone ?? "UTC";
  if (!isValidTimeZone(timezone)) {
    throw new ValidationError(`timezone: "${timezone}" is not an IANA time zone`, [
      { path: "timezone", message: "unknown time zone" },
    ]);
  }
  const now = Date.now();
  const id = newId("prj", now);
  const region = input.region ?? "default";
  // The shard is chosen and the project numbered there first: a project row never exists without
  // a home for its events (an unused number left by a failed insert below is harmless).
  const home = await placeNewProject(ctx, id, region);
  const [[project]] = await ctx.db.batch([
    ctx.db
      .insert(projects)
      .values({
        id,
        name: input.name,
        timezone,
        retentionDays: input.retentionDays ?? 365,
        redactionKeys: input.redactionKeys ?? [],
        region,
        createdAt: now,
      })
      .returning(),
    ctx.db.insert(placements).values({ projectId: id, shard: home.shard, pn: home.pn, updatedAt: now }),
    ...(input.ownerId
      ? [ctx.db.insert(memberships).values({ projectId: id, userId: input.ownerId, role: "owner", createdAt: now })]
      : []),
  ]);
  if (!project) throw new InvariantError("insert into projects returned no row");
  return project;
}
