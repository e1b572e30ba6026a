import { Hono } from "hono";
import type { ProofLine } from "../../../views/pages/explorer/model";
import { Integrity } from "../../../views/pages/Integrity";
import type { ProjectEnv } from "../../env";
import { can } from "../../lib/permissions";
import { parseTimeBound } from "../../lib/time";
import { requirePermission } from "../../middleware/session";
import type { MemberContext } from "../../services/context";
import { scopeForAccess } from "../../services/events/filters";
import { downloadArchive, listArchives } from "../../services/integrity/archives";
import { digestSummary, publicKeyOf, type Verification, verifyRange } from "../../services/integrity/digests";
import { proofStatus, proveEvent } from "../../services/integrity/proofs";
import { renderPage } from "./frame";

const proofHref = (projectId: string, eventId: string) => `/p/${projectId}/events/${encodeURIComponent(eventId)}/proof`;

/**
 * The event detail's integrity line (README "Proofs"): its proof made and checked as an outside
 * verifier would. Only for those who see integrity; undefined when nothing is signed.
 */
export async function proofLine(ctx: MemberContext, eventId: string): Promise<ProofLine | undefined> {
  const { access } = ctx.actor;
  if (!can(access.role, "integrity.read")) return undefined;
  const status = await proofStatus(ctx, eventId, scopeForAccess({ conditions: [], text: [] }, access));
  if (!status) return undefined;
  if (status.state === "verified")
    return {
      state: "verified",
      windowStart: new Date(status.windowStart).toISOString(),
      windowEnd: new Date(status.windowEnd).toISOString(),
      href: proofHref(ctx.project.id, eventId),
    };
  if (status.state === "pending") return { state: "pending", dueAt: new Date(status.dueAt).toISOString() };
  return status;
}

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
  )
  // The same JSON as GET /v1/events/{id}/proof, as a file.
  .get("/events/:eventId/proof", requirePermission("integrity.read"), async (c) => {
    const eventId = c.req.param("eventId");
    const proof = await proveEvent(c.var.ctx, eventId, scopeForAccess({ conditions: [], text: [] }, c.var.access));
    const filename = `trailbook-proof-${eventId.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`;
    return new Response(JSON.stringify(proof), {
      headers: {
        "Content-Type": "application/json",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "Cache-Control": "private, no-store",
      },
    });
  });
