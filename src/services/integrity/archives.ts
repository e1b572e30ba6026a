import { and, desc, eq } from "drizzle-orm";
import { type Archive, archives } from "../../db/schema";
import { NotFoundError } from "../../lib/errors";
import type { ProjectContext } from "../context";
import { serveFile } from "../files/download";

/** The project's retention archives, newest day first. */
export async function listArchives(ctx: ProjectContext): Promise<Archive[]> {
  return ctx.db
    .select()
    .from(archives)
    .where(eq(archives.projectId, ctx.project.id))
    .orderBy(desc(archives.day))
    .limit(200);
}

/** One archive file of the project, by its key. */
export async function downloadArchive(ctx: ProjectContext, fileKey: string, request: Request): Promise<Response> {
  const [archive] = await ctx.db
    .select()
    .from(archives)
    .where(and(eq(archives.projectId, ctx.project.id), eq(archives.fileKey, fileKey)))
    .limit(1);
  if (!archive) throw new NotFoundError("There is no such archive in this project.");
  const name = fileKey.split("/").pop() ?? "events.jsonl.gz";
  return serveFile(ctx.files, { key: archive.fileKey, filename: `trailbook-archive-${archive.day}-${name}` }, request);
}
