import { Hono } from "hono";
import { Integrity } from "../../../views/pages/Integrity";
import type { ProjectEnv } from "../../env";
import { can } from "../../lib/permissions";
import { parseTimeBound } from "../../lib/time";
import { requirePermission } from "../../middleware/session";
import { downloadArchive, listArchives } from "../../services/integrity/archives";
import { digestSummary, publicKeyOf, type Verification, verifyRange } from "../../services/integrity/digests";
import { renderPage } from "./frame";

export const integrityPages = new Hono<ProjectEnv>()
  .get("/integrity", requirePermission("integrity.read"), async (c) => {
    const { ctx, project } = c.var;
    const key = ctx.config.INTEGRITY_SIGNING_KEY;
    const { latest, total } = await digestSummary(ctx);
    const from = c.req.query("from") ?? "";
    const to = c.req.query("to") ?? "";
    let report: Verification | undefined;
    let error: string | undefined;
    if (c.req.query("verify") === "1" && key) {
      const start = from ? parseTimeBound(from, project.timezone, "start") : 0;
      const end = to ? parseTimeBound(to, project.timezone, "end") : Date.now();
      if (start === null || end === null) error = "The range is not a date or time; use the pickers.";
      else report = await verifyRange(ctx, start, end);
    }
    const list = can(c.var.access.role, "settings.read") ? await listArchives(ctx) : null;
    return renderPage(c, Integrity, {
      keyId: (await publicKeyOf(key))?.key_id ?? null,
      total,
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
  .get("/archives/download", requirePermission("settings.read"), (c) =>
    downloadArchive(c.var.ctx, c.req.query("file") ?? "", c.req.raw),
  );
