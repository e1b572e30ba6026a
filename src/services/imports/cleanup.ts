import { and, eq, sql } from "drizzle-orm";
import { tasks } from "../../db/schema";
import type { ServiceContext } from "../context";
import { hasEnded } from "../tasks/engine";
import { IMPORT_PREFIX } from "./request";

/** An upload with no task is kept this long: the moment between storing a file and recording its task. */
export const ORPHAN_UPLOAD_AFTER_MS = 60 * 60 * 1000;
const PAGES_PER_RUN = 5;

/**
 * Deletes import uploads whose task has ended (a crash between the end and the delete) or that
 * have no task at all (the task was never recorded, or retention removed it), so no unredacted
 * upload outlives its import. Uploads of running imports are left alone.
 */
export async function sweepImportUploads(ctx: ServiceContext, now = Date.now()): Promise<number> {
  let deleted = 0;
  for (const files of [ctx.env.FILES, ctx.env.FILES_EU]) deleted += await sweepBucket(ctx, files, now);
  return deleted;
}

async function sweepBucket(ctx: ServiceContext, files: R2Bucket, now: number): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const listed = await files.list({ prefix: IMPORT_PREFIX, limit: 1000, ...(cursor && { cursor }) });
    if (listed.objects.length) {
      const fileKey = sql<string>`json_extract(${tasks.params}, '$.fileKey')`;
      const keys = JSON.stringify(listed.objects.map((o) => o.key));
      const results = await ctx.db
        .select({ fileKey, status: tasks.status })
        .from(tasks)
        .where(and(eq(tasks.type, "import"), sql`${fileKey} IN (SELECT value FROM json_each(${keys}))`));
      const statusOf = new Map(results.map((r) => [r.fileKey, r.status]));
      const ended = listed.objects
        .filter((o) => {
          const status = statusOf.get(o.key);
          if (status === undefined) return now - o.uploaded.getTime() > ORPHAN_UPLOAD_AFTER_MS;
          return hasEnded({ status });
        })
        .map((o) => o.key);
      if (ended.length) await files.delete(ended);
      deleted += ended.length;
    }
    if (!listed.truncated) break;
    cursor = listed.cursor;
  }
  return deleted;
}
