// Run by npm test (node --test): the offline verifier as a command, on files it is given.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { canonicalJson } from "../src/lib/canonical-json.ts";
import { merkleRoot, sha256Text } from "../src/lib/merkle.ts";
import { signText } from "../src/lib/signing.ts";
import { digestBody } from "../src/lib/verify-offline.ts";
import { main } from "./verify.mjs";

const HOUR = 3600_000;

async function fixture(dir) {
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const start = Date.parse("2026-11-01T10:00:00Z");
  const events = [];
  for (let i = 0; i < 12; i++) {
    const stored = {
      id: `e${i}`,
      type: "commission.updated",
      category: "activity",
      action: "updated",
      occurred_at: new Date(start + i * 600_000).toISOString(),
      summary: `approved ${i}`,
    };
    events.push({
      ...stored,
      received_at: new Date(start + i * 600_000).toISOString(),
      hash: await sha256Text(canonicalJson(stored)),
    });
  }
  const digests = [];
  let previous = "0".repeat(64);
  for (let w = 0; w < 2; w++) {
    const window_start = start + w * HOUR;
    const inWindow = events.filter(
      (e) => Date.parse(e.received_at) >= window_start && Date.parse(e.received_at) < window_start + HOUR,
    );
    const body = {
      project_id: "prj_x",
      window_start,
      window_end: window_start + HOUR,
      event_count: inWindow.length,
      root: await merkleRoot(inWindow.map((e) => e.hash)),
      previous_hash: previous,
    };
    const hash = await sha256Text(digestBody(body));
    digests.push({ ...body, hash, signature: await signText(jwk, hash) });
    previous = hash;
  }
  const files = {
    export: path.join(dir, "events.jsonl"),
    digests: path.join(dir, "digests.json"),
    key: path.join(dir, "key.json"),
  };
  writeFileSync(files.export, events.map((e) => JSON.stringify(e)).join("\n"));
  writeFileSync(files.digests, JSON.stringify({ data: digests }));
  writeFileSync(files.key, JSON.stringify({ algorithm: "Ed25519", public_key: jwk.x }));
  return { files, events };
}

test("verifies an export against digests and names the first window that does not match", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "verify-"));
  const { files, events } = await fixture(dir);
  const args = ["--export", files.export, "--digests", files.digests, "--public-key", files.key];
  assert.equal(await main(args), 0);

  const tampered = events.map((e) => (e.id === "e8" ? { ...e, summary: "denied 8" } : e));
  writeFileSync(files.export, tampered.map((e) => JSON.stringify(e)).join("\n"));
  const lines = [];
  const log = console.log;
  console.log = (line) => lines.push(String(line));
  try {
    assert.equal(await main(args), 1);
  } finally {
    console.log = log;
  }
  assert.match(
    lines.join("\n"),
    /FIRST MISMATCH: 2026-11-01T11:00:00.000Z – 2026-11-01T12:00:00.000Z: events differ from what was stored: e8/,
  );
  assert.equal(await main(["--export", files.export]), 2);
});
