import { eq } from "drizzle-orm";
import { dataExports, projects } from "../../db/schema";
import { ConflictError, GoneError, NotFoundError } from "../../lib/errors";
import { filesOf, type ProjectContext, type ServiceContext } from "../context";
import { serveFile } from "../files/download";
import { exportStatus, getExport } from "./request";
import { checkExportLink } from "./signed-link";

export function exportFilename(row: { id: string; format: string; gzip: boolean }): string {
  return `trailbook-${row.id}.${row.format}${row.gzip ? ".gz" : ""}`;
}

/** The file of an export the actor may see, once it is done and until it expires. */
export async function downloadExport(ctx: ProjectContext, id: string, request: Request): Promise<Response> {
  const found = await getExport(ctx, id);
  if (!found) throw new NotFoundError("No export with this id in this project.");
  const status = exportStatus(found.row, found.task);
  if (status === "expired") throw new GoneError("This export has expired; make a new one.");
  if (status !== "done") throw new ConflictError(`This export is ${status}; download it once it is done.`);
  return serveFile(ctx.files, { key: found.row.fileKey, filename: exportFilename(found.row) }, request);
}

/** The file behind a signed link (what WorkOS-style clients fetch): the link itself is the credential. */
export async function downloadSignedExport(
  ctx: ServiceContext,
  link: { id: string; expires: string | undefined; signature: string | undefined },
  request: Request,
): Promise<Response> {
  if (!(await checkExportLink(ctx.config.SECRETS_KEY, link.id, link.expires, link.signature))) {
    throw new NotFoundError("This download link is not valid or has expired.");
  }
  const [row] = await ctx.db.select().from(dataExports).where(eq(dataExports.id, link.id)).limit(1);
  if (!row || row.finishedAt === null) throw new NotFoundError("No such export.");
  if (row.expiresAt <= Date.now()) throw new GoneError("This export has expired.");
  const [project] = await ctx.db
    .select({ region: projects.region })
    .from(projects)
    .where(eq(projects.id, row.projectId));
  if (!project) throw new NotFoundError("No such export.");
  return serveFile(filesOf(ctx.env, project.region), { key: row.fileKey, filename: exportFilename(row) }, request);
}
