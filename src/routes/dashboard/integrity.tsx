import { and, count, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { Integrity } from "../../../views/pages/Integrity";
import { archives, digests } from "../../db/schema";
import type { ProjectEnv } from "../../env";
import { NotFoundError } from "../../lib/errors";
import { can } from "../../lib/permissions";
import { parseTimeBound } from "../../lib/time";
import { requirePermission } from "../../middleware/session";
import { publicKeyOf, type Verification, verifyRange } from "../../services/integrity/digests";
import { serveFile } from "../api/exports";
import { renderPage } from "./frame";

export const integrityPages = new Hono<ProjectEnv>()
  .get("/integrity", requirePermission("integrity.read"), async (c) => {
    const { db, project } = c.var;
    const key = c.var.config.INTEGRITY_SIGNING_KEY;
    const latest = await db
      .select()
      .from(digests)
      .where(eq(digests.projectId, project.id))
      .orderBy(desc(digests.windowStart))
      .limit(24);
    const [total] = await db.select({ n: count() }).from(digests).where(eq(digests.projectId, project.id));
    const from = c.req.query("from") ?? "";
    const to = c.req.query("to") ?? "";
    let report: Verification | undefined;
    let error: string | undefined;
    if (c.req.query("verify") === "1" && key) {
      const start = from ? parseTimeBound(from, project.timezone, "start") : 0;
      const end = to ? parseTimeBound(to, project.timezone, "end") : Date.now();
      if (start === null || end === null) error = "The range is not a date or time; use the pickers.";
      else report = await verifyRange(c.env, db, project, key, start, end);
    }
    const list = can(c.var.access.role, "settings.read")
      ? await db
          .select()
          .from(archives)
          .where(eq(archives.projectId, project.id))
          .orderBy(desc(archives.day))
          .limit(200)
      : null;
    return renderPage(c, Integrity, {
      keyId: (await publicKeyOf(key))?.key_id ?? null,
      total: total?.n ?? 0,
      digests: latest.map((d) => ({
        windowStart: new Date(d.windowStart).toISOString(),
        windowEnd: new Date(d.windowEnd).toISOString(),
        count: d.eventCount,
        root: d.root,
        hash: d.hash,
      })),
      report: report && {
        ok: report.ok,
        checked: report.checked,
        verified: report.verified,
        pruned: report.pruned.length,
        broken: report.broken,
      },
      from,
      to,
      error,
      archives: list?.map((a) => ({ day: a.day, fileKey: a.fileKey, count: a.eventCount, bytes: a.bytes })) ?? null,
    });
  })
  .get("/archives/download", requirePermission("settings.read"), async (c) => {
    const file = c.req.query("file") ?? "";
    const [archive] = await c.var.db
      .select()
      .from(archives)
      .where(and(eq(archives.projectId, c.var.project.id), eq(archives.fileKey, file)))
      .limit(1);
    if (!archive) throw new NotFoundError("There is no such archive in this project.");
    return serveFile(
      c.env.FILES,
      archive.fileKey,
      c.req.raw,
      `trailbook-archive-${archive.day}-${file.split("/").pop() ?? "events.jsonl.gz"}`,
    );
  });
