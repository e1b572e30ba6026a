import { and, asc, eq, isNull } from "drizzle-orm";
import { type Digest, digests, type Epoch, epochs, projects } from "../../db/schema";
import { CursorError, NotFoundError } from "../../lib/errors";
import { filesOf, type ProjectContext, type ServiceContext } from "../context";
import { notify } from "../notifications/notify";
import { epochRecordOf, PUBLIC_PREFIX, publicDigestKey, publicEpochKey, recordOf } from "./records";

// Published roots (README "Published roots"): every digest and epoch is also written, once, to
// `public/digests/<project>/…` in the project's bucket — outside the database, where an R2 bucket
// lock keeps even the operators from changing or deleting it. Each copy is written with a
// condition (only if the key holds nothing yet), so a copy is never replaced: a second write with
// other content is refused by R2 and logged as evidence of tampering. They are served without
// authentication when the project turns publishing on.

const JSON_TYPE = "application/json";
const PENDING_PER_RUN = 500;

export type WriteOutcome = "written" | "unchanged" | "refused";

/** Writes `text` at `key` unless something is there already; says what happened. */
export async function writeOnce(ctx: ProjectContext, key: string, text: string): Promise<WriteOutcome> {
  const written = await ctx.files.put(key, text, {
    onlyIf: { etagDoesNotMatch: "*" },
    httpMetadata: { contentType: JSON_TYPE },
  });
  if (written) return "written";
  const existing = await ctx.files.get(key);
  const before = existing ? await existing.text() : undefined;
  if (before === text) return "unchanged";
  // The database now says something else than what was published: whichever changed, the
  // published copy stays as it was, and this is the record that they differ.
  console.error(
    `integrity: tampering evidence — a second, different copy of ${key} was refused; published: ${before}; refused: ${text}`,
  );
  await notify(
    ctx,
    {
      projectId: ctx.project.id,
      type: "integrity.failed",
      title: `A published integrity record differs from the database: ${key.slice(PUBLIC_PREFIX.length)}`,
      body: "The public copy was kept; the database's version was refused. Run a verification and compare the two.",
      link: `/p/${ctx.project.id}/integrity`,
    },
    `published_${ctx.project.id.slice(4)}_${key.slice(PUBLIC_PREFIX.length + ctx.project.id.length + 1).replace(/\W/g, "_")}`,
  );
  return "refused";
}

/** Publishes a digest and notes it; a refused copy is noted too (the evidence is logged once). */
export async function publishDigest(ctx: ProjectContext, digest: Digest, now = Date.now()): Promise<WriteOutcome> {
  const outcome = await writeOnce(
    ctx,
    publicDigestKey(digest.projectId, digest.windowStart),
    JSON.stringify(recordOf(digest)),
  );
  await ctx.db
    .update(digests)
    .set({ publishedAt: now })
    .where(
      and(
        eq(digests.projectId, digest.projectId),
        eq(digests.windowStart, digest.windowStart),
        isNull(digests.publishedAt),
      ),
    );
  return outcome;
}

export async function publishEpoch(ctx: ProjectContext, epoch: Epoch, now = Date.now()): Promise<WriteOutcome> {
  const outcome = await writeOnce(
    ctx,
    publicEpochKey(epoch.projectId, epoch.epoch),
    JSON.stringify(epochRecordOf(epoch)),
  );
  await ctx.db
    .update(epochs)
    .set({ publishedAt: now })
    .where(and(eq(epochs.projectId, epoch.projectId), eq(epochs.epoch, epoch.epoch), isNull(epochs.publishedAt)));
  return outcome;
}

/**
 * Publishes the project's digests and epochs not published yet (a write that failed, or digests
 * from before copies were published), oldest first, up to 500 a run.
 */
export async function publishPending(ctx: ProjectContext, now = Date.now()): Promise<number> {
  const { db, project } = ctx;
  const [pendingDigests, pendingEpochs] = await db.batch([
    db
      .select()
      .from(digests)
      .where(and(eq(digests.projectId, project.id), isNull(digests.publishedAt)))
      .orderBy(asc(digests.windowStart))
      .limit(PENDING_PER_RUN),
    db
      .select()
      .from(epochs)
      .where(and(eq(epochs.projectId, project.id), isNull(epochs.publishedAt)))
      .orderBy(asc(epochs.epoch)),
  ]);
  for (const d of pendingDigests) await publishDigest(ctx, d, now);
  for (const e of pendingEpochs) await publishEpoch(ctx, e, now);
  return pendingDigests.length + pendingEpochs.length;
}

/** A project whose published copies are served: unknown and unpublished projects alike are a 404. */
async function publishingProject(ctx: ServiceContext, projectId: string) {
  const [project] = /^prj_[0-9A-Za-z]{1,64}$/.test(projectId)
    ? await ctx.db.select().from(projects).where(eq(projects.id, projectId)).limit(1)
    : [];
  if (!project?.publishDigests) throw new NotFoundError("This project publishes no digests.");
  return project;
}

const PUBLIC_HEADERS = { "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff" };

/** One published copy, read-only: `<window start>.json` or `epochs/<n>.json`. */
export async function servePublished(ctx: ServiceContext, projectId: string, name: string): Promise<Response> {
  const project = await publishingProject(ctx, projectId);
  if (!/^(epochs\/)?\d{1,16}\.json$/.test(name)) throw new NotFoundError("No such published record.");
  const object = await filesOf(ctx.env, project.region).get(`${PUBLIC_PREFIX}${project.id}/${name}`);
  if (!object) throw new NotFoundError("No such published record.");
  return new Response(object.body, {
    headers: {
      ...PUBLIC_HEADERS,
      "Content-Type": JSON_TYPE,
      ETag: object.httpEtag,
      "Last-Modified": object.uploaded.toUTCString(),
      // Never rewritten, so caches may keep it for good.
      "Cache-Control": "public, max-age=31536000, immutable",
    },
  });
}

/** The listing of a project's published copies, 1,000 a page, with when each was written. */
export async function listPublished(
  ctx: ServiceContext,
  projectId: string,
  cursor: string | undefined,
  origin: string,
): Promise<Response> {
  const project = await publishingProject(ctx, projectId);
  const prefix = `${PUBLIC_PREFIX}${project.id}/`;
  let listed: R2Objects;
  try {
    listed = await filesOf(ctx.env, project.region).list({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
  } catch {
    // R2 refuses a cursor it did not hand out.
    throw new CursorError();
  }
  const body = {
    project_id: project.id,
    objects: listed.objects.map((o) => ({
      name: o.key.slice(prefix.length),
      url: `${origin}/${o.key}`,
      size: o.size,
      uploaded: o.uploaded.toISOString(),
    })),
    next_cursor: listed.truncated ? listed.cursor : null,
  };
  return new Response(JSON.stringify(body), {
    headers: { ...PUBLIC_HEADERS, "Content-Type": JSON_TYPE, "Cache-Control": "public, max-age=60" },
  });
}
