// Checks exported events against integrity digests with nothing but the public key: the code
// behind `npm run verify`, also used by the API tests. Imports carry their .ts extension so Node
// runs this file as it is (type stripping).
import { canonicalJson } from "./canonical-json.ts";
import { merkleRoot, sha256Text } from "./merkle.ts";
import { verifyText } from "./signing.ts";

export type DigestRecord = {
  project_id: string;
  window_start: number;
  window_end: number;
  event_count: number;
  root: string;
  previous_hash: string;
  hash: string;
  signature: string;
};

export type ExportedEvent = Record<string, unknown> & { id: string; received_at: string; hash: string };

export type WindowResult = {
  window_start: string;
  window_end: string;
  status: "verified" | "broken" | "not_in_export";
  reason?: string;
};

/** What a digest's hash covers (the same text the deployment signs the hash of). */
export function digestBody(
  d: Pick<DigestRecord, "project_id" | "window_start" | "window_end" | "event_count" | "root" | "previous_hash">,
): string {
  return canonicalJson({
    project_id: d.project_id,
    window_start: d.window_start,
    window_end: d.window_end,
    event_count: d.event_count,
    root: d.root,
    previous_hash: d.previous_hash,
  });
}

/** An exported event's hash, recomputed: the canonical JSON of the event without received_at and hash. */
export async function eventHash(event: ExportedEvent): Promise<string> {
  const { received_at: _received, hash: _hash, ...stored } = event;
  return sha256Text(canonicalJson(stored));
}

/**
 * Verifies each digest (its hash, its signature, its link to the previous one) and, for each
 * window the export covers, that the exported events are exactly the digested ones.
 */
export async function verifyExport(
  events: ExportedEvent[],
  digests: DigestRecord[],
  publicKey: string,
): Promise<{ ok: boolean; windows: WindowResult[]; first_broken: WindowResult | null }> {
  const sorted = [...digests].sort((a, b) => a.window_start - b.window_start);
  const altered = new Set<string>();
  for (const e of events) if ((await eventHash(e)) !== e.hash) altered.add(e.id);
  const windows: WindowResult[] = [];
  for (const [i, d] of sorted.entries()) {
    const where = {
      window_start: new Date(d.window_start).toISOString(),
      window_end: new Date(d.window_end).toISOString(),
    };
    const problems: string[] = [];
    if ((await sha256Text(digestBody(d))) !== d.hash) problems.push("the digest was altered");
    if (!(await verifyText(publicKey, d.hash, d.signature)))
      problems.push("the signature does not match the public key");
    const previous = sorted[i - 1];
    if (previous && previous.window_end === d.window_start && d.previous_hash !== previous.hash)
      problems.push("the chain to the previous digest is broken");
    const inWindow = events
      .filter((e) => {
        const t = Date.parse(e.received_at);
        return t >= d.window_start && t < d.window_end;
      })
      .sort(
        (a, b) => Date.parse(a.received_at) - Date.parse(b.received_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    if (inWindow.length === 0 && d.event_count > 0 && problems.length === 0) {
      windows.push({ ...where, status: "not_in_export" });
      continue;
    }
    const changed = inWindow.filter((e) => altered.has(e.id)).map((e) => e.id);
    if (changed.length) problems.push(`events differ from what was stored: ${changed.slice(0, 5).join(", ")}`);
    else if (inWindow.length !== d.event_count)
      problems.push(`${d.event_count} events were digested, the export has ${inWindow.length}`);
    else if ((await merkleRoot(inWindow.map((e) => e.hash))) !== d.root)
      problems.push("the exported events differ from the digested ones");
    windows.push(
      problems.length ? { ...where, status: "broken", reason: problems.join("; ") } : { ...where, status: "verified" },
    );
  }
  const first = windows.find((w) => w.status === "broken") ?? null;
  return { ok: first === null, windows, first_broken: first };
}
