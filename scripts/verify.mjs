// npm run verify -- --export events.jsonl[.gz] --digests digests.json --public-key <key or file>
// npm run verify -- --proof proof.json [--proof …] --public-key <key or file>
// npm run verify -- --chain chain.json [--kept digest.json] --public-key <key or file>
//
// Checks, offline and with only the deployment's public key (GET /v1/integrity/public-key):
// an export (JSON Lines) against integrity digests (the JSON of GET /v1/integrity/digests),
// naming the first window that does not match; an event's inclusion proof (GET
// /v1/events/{id}/proof) or a digest's epoch proof; a chain of digests (GET
// /v1/integrity/consistency, optionally containing a digest kept earlier) or of epochs (GET
// /v1/integrity/epochs). Exits 1 when anything does not check out (README "Proofs").
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { verifyEvidence } from "../src/lib/proofs.ts";
import { verifyExport } from "../src/lib/verify-offline.ts";

function readText(file) {
  const bytes = readFileSync(file);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** Evidence is read strictly: bytes that are not UTF-8 are a broken file, not replaced characters. */
function readJson(file) {
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file)));
}

const USAGE = `usage: npm run verify -- --public-key <base64url key | file> and
  --export events.jsonl[.gz] --digests digests.json   an export against the digests
  --proof proof.json [--proof …]                      inclusion proofs of events, epoch proofs of digests
  --chain chain.json [--kept digest.json]             a chain of digests (with a digest kept earlier) or of epochs`;

/** Checks each evidence file; one line each. */
async function verifyFiles(files, key, kept) {
  let broken = 0;
  for (const file of files) {
    let verdict;
    try {
      verdict = await verifyEvidence(readJson(file), key, { kept });
    } catch (error) {
      verdict = { ok: false, problems: [`not a JSON file: ${error.message}`] };
    }
    if (verdict.ok) console.log(`verified  ${file}: ${verdict.summary}`);
    else {
      broken++;
      console.log(`BROKEN    ${file}: ${verdict.problems.join("; ")}`);
    }
  }
  return broken;
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      export: { type: "string" },
      digests: { type: "string" },
      proof: { type: "string", multiple: true },
      chain: { type: "string", multiple: true },
      kept: { type: "string" },
      "public-key": { type: "string" },
    },
  });
  const evidence = [...(values.proof ?? []), ...(values.chain ?? [])];
  const exported = Boolean(values.export && values.digests);
  if (!values["public-key"] || (!exported && evidence.length === 0) || (values.export && !values.digests)) {
    console.error(USAGE);
    return 2;
  }
  let key = values["public-key"];
  if (existsSync(key)) {
    const text = readFileSync(key, "utf8").trim();
    key = text.startsWith("{") ? JSON.parse(text).public_key : text;
  }
  if (evidence.length) {
    const broken = await verifyFiles(evidence, key, values.kept ? readJson(values.kept) : undefined);
    if (!exported) return broken ? 1 : 0;
    if (broken) return 1;
  }
  const events = readText(values.export)
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
  const parsed = JSON.parse(readText(values.digests));
  const digests = Array.isArray(parsed) ? parsed : parsed.data;
  const report = await verifyExport(events, digests, key);
  for (const w of report.windows)
    console.log(`${w.status.padEnd(13)} ${w.window_start} – ${w.window_end}${w.reason ? `  ${w.reason}` : ""}`);
  const counts = Object.groupBy(report.windows, (w) => w.status);
  console.log(
    `\n${events.length} events, ${report.windows.length} windows: ${counts.verified?.length ?? 0} verified, ${counts.broken?.length ?? 0} broken, ${counts.not_in_export?.length ?? 0} not in the export.`,
  );
  if (report.first_broken) {
    console.log(
      `FIRST MISMATCH: ${report.first_broken.window_start} – ${report.first_broken.window_end}: ${report.first_broken.reason}`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`verify failed: ${error.message}`);
      process.exit(2);
    },
  );
}
