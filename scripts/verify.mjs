// npm run verify -- --export events.jsonl[.gz] --digests digests.json --public-key <key or file>
//
// Checks an export (JSON Lines) against integrity digests (the JSON of GET /v1/integrity/digests)
// offline, with only the deployment's public key (GET /v1/integrity/public-key). Prints a report
// and exits 1 naming the first window that does not match.
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { verifyExport } from "../src/lib/verify-offline.ts";

function readText(file) {
  const bytes = readFileSync(file);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: { export: { type: "string" }, digests: { type: "string" }, "public-key": { type: "string" } },
  });
  if (!values.export || !values.digests || !values["public-key"]) {
    console.error(
      "usage: npm run verify -- --export events.jsonl[.gz] --digests digests.json --public-key <base64url key | file>",
    );
    return 2;
  }
  const events = readText(values.export)
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
  const parsed = JSON.parse(readText(values.digests));
  const digests = Array.isArray(parsed) ? parsed : parsed.data;
  let key = values["public-key"];
  if (existsSync(key)) {
    const text = readFileSync(key, "utf8").trim();
    key = text.startsWith("{") ? JSON.parse(text).public_key : text;
  }
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
