import { eq } from "drizzle-orm";
import { type Placement, type Project, placements, type Region } from "../../db/schema";
import { shardDatabase } from "../../db/shard/bindings";
import { InvariantError, ServiceUnavailableError } from "../../lib/errors";
import { inProject, type ProjectContext, type ServiceContext } from "../context";
import { knownShards, projectsPerShard } from "./directory";

/**
 * The shard a new project of `region` goes to: the open one with the most free room (the smallest
 * measured size). None open is a 503: an operator adds a shard (README "Deploy").
 */
export async function chooseShard(ctx: ServiceContext, region: Region): Promise<string> {
  const [known, placed] = await Promise.all([knownShards(ctx), projectsPerShard(ctx)]);
  const open = known.filter((s) => s.region === region && s.state === "open");
  // Equal sizes (new, nearly empty shards measure the same) go to the shard with fewer projects.
  const projectsOn = (binding: string) => placed.get(binding) ?? 0;
  const best = open.sort(
    (a, b) =>
      a.sizeBytes - b.sizeBytes || projectsOn(a.binding) - projectsOn(b.binding) || a.binding.localeCompare(b.binding),
  )[0];
  if (!best) {
    throw new ServiceUnavailableError(
      `No event shard of the ${region} region takes new projects: every one is closed, draining or full. An operator must add a shard.`,
      3600,
    );
  }
  return best.binding;
}

/**
 * The project's number on a shard, from the shard's own directory: taken once (a project placed on
 * the same shard again, as a move back does, gets its old number).
 */
export async function allocateNumber(ctx: ServiceContext, binding: string, projectId: string): Promise<number> {
  const d1 = shardDatabase(ctx.env, binding);
  if (!d1) throw new InvariantError(`no binding ${binding}`);
  const row = await d1
    .prepare(
      "INSERT INTO shard_projects (project_id) VALUES (?1) ON CONFLICT (project_id) DO UPDATE SET frozen = frozen RETURNING pn",
    )
    .bind(projectId)
    .first<{ pn: number }>();
  if (!row) throw new InvariantError("shard_projects returned no number");
  return row.pn;
}

/** Where a new project's events will live: a shard of its region and its number there. */
export async function placeNewProject(
  ctx: ServiceContext,
  projectId: string,
  region: Region,
): Promise<Pick<Placement, "shard" | "pn">> {
  const shard = await chooseShard(ctx, region);
  return { shard, pn: await allocateNumber(ctx, shard, projectId) };
}

export async function placementOf(ctx: ServiceContext, projectId: string): Promise<Placement | undefined> {
  const [row] = await ctx.db.select().from(placements).where(eq(placements.projectId, projectId)).limit(1);
  return row;
}

/** The project's context, its home shard read from the placements (for work that starts from a project row). */
export async function projectContext(ctx: ServiceContext, project: Project): Promise<ProjectContext> {
  const placement = await placementOf(ctx, project.id);
  if (!placement) throw new InvariantError(`project ${project.id} has no placement`);
  return inProject(ctx, project, placement);
}
