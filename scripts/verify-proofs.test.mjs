// Run by npm test (node --test): evidence documents built by the TypeScript code, checked by the
// offline verifier (npm run verify) and by a second, independent one in Python
// (test/fixtures/verify_proof.py, standard library only, which checks everything but the Ed25519
// signatures themselves). python3 is required: without it this test fails rather than skips.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { canonicalJson } from "../src/lib/canonical-json.ts";
import { merkleTree, sha256Text, treeRoot } from "../src/lib/merkle.ts";
import {
  buildEpochInclusion,
  buildInclusionProof,
  FORMATS,
  GENESIS,
  signDigest,
  signEpoch,
  verifyEvidence,
  WINDOW_MS,
} from "../src/lib/proofs.ts";
import { main } from "./verify.mjs";

const PYTHON = path.join(import.meta.dirname, "..", "test", "fixtures", "verify_proof.py");
const START = Date.parse("2026-11-01T10:00:00Z");
const PROJECT = "prj_01JPROOFS0000000000000000";

/** Four windows of 1, 2, 3 and 1,000 events, then four empty hours; two epochs of four digests. */
async function fixture() {
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const windows = [];
  let previous = GENESIS;
  for (const [w, n] of [1, 2, 3, 1000, 0, 0, 0, 0].entries()) {
    const events = [];
    for (let i = 0; i < n; i++) {
      const data = canonicalJson({
        id: `evt_w${w}_${String(i).padStart(4, "0")}`,
        type: "commission.updated",
        category: "activity",
        action: "updated",
        occurred_at: new Date(START + w * WINDOW_MS + i).toISOString(),
        summary: `Zoë approved commission ${i} ✓ 😀`,
        changes: { status: ["pending", "approved"], amount_cents: [1000, 1200 + i] },
      });
      events.push({ id: JSON.parse(data).id, data, hash: await sha256Text(data) });
    }
    const tree = await merkleTree(events.map((e) => e.hash));
    const digest = await signDigest(jwk, {
      project_id: PROJECT,
      window_start: START + w * WINDOW_MS,
      window_end: START + (w + 1) * WINDOW_MS,
      event_count: n,
      root: await treeRoot(tree),
      previous_hash: previous,
    });
    previous = digest.hash;
    windows.push({ events, tree, digest });
  }
  const epochs = [];
  const epochTrees = [];
  let previousEpoch = GENESIS;
  for (let e = 0; e < 2; e++) {
    const covered = windows.slice(e * 4, e * 4 + 4).map((w) => w.digest);
    const tree = await merkleTree(covered.map((d) => d.hash));
    const epoch = await signEpoch(jwk, {
      project_id: PROJECT,
      epoch: e,
      first_window_start: covered[0].window_start,
      window_end: covered[3].window_end,
      digest_count: 4,
      root: await treeRoot(tree),
      previous_hash: previousEpoch,
    });
    previousEpoch = epoch.hash;
    epochs.push(epoch);
    epochTrees.push(tree);
  }
  return { jwk, windows, epochs, epochTrees };
}

function proofOf({ windows, epochs, epochTrees }, w, index) {
  const { events, tree, digest } = windows[w];
  const epoch = buildEpochInclusion(epochs[0], epochTrees[0], digest.window_start);
  return buildInclusionProof(events[index], tree, index, digest, epoch);
}

function python(args) {
  const run = spawnSync("python3", [PYTHON, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.error, undefined, `python3 must be installed to run this test: ${run.error?.message}`);
  assert.ok(run.status === 0 || run.status === 1, `verify_proof.py failed to run: ${run.stderr}`);
  return {
    status: run.status,
    results: run.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}

async function quietly(work) {
  const log = console.log;
  const lines = [];
  console.log = (line) => lines.push(String(line));
  try {
    return { result: await work(), lines };
  } finally {
    console.log = log;
  }
}

/** The byte ranges of signature values in a document's text, which only the Node side can check. */
function signatureRanges(text) {
  const ranges = [];
  for (const match of text.matchAll(/"signature":\s*"([A-Za-z0-9_-]*)"/g)) {
    const end = match.index + match[0].length - 1;
    ranges.push([end - match[1].length, end]);
  }
  return ranges;
}

test("proofs of the first, middle and last events of windows of 1, 2, 3 and 1,000 events verify in Node and Python", async () => {
  const f = await fixture();
  const dir = mkdtempSync(path.join(tmpdir(), "proofs-"));
  const key = path.join(dir, "key.json");
  writeFileSync(key, JSON.stringify({ algorithm: "Ed25519", public_key: f.jwk.x }));
  const files = [];
  for (const [w, n] of [1, 2, 3, 1000].entries()) {
    for (const index of new Set([0, Math.floor((n - 1) / 2), n - 1])) {
      const proof = proofOf(f, w, index);
      assert.equal(proof.inclusion.tree_size, n);
      assert.equal(proof.inclusion.leaf_index, index);
      const verdict = await verifyEvidence(proof, f.jwk.x);
      assert.ok(verdict.ok, `window of ${n}, event ${index}: ${verdict.problems.join("; ")}`);
      const file = path.join(dir, `proof-${n}-${index}.json`);
      writeFileSync(file, JSON.stringify(proof));
      files.push(file);
    }
  }
  assert.equal(files.length, 1 + 2 + 3 + 3);
  const { result } = await quietly(() => main(["--public-key", key, ...files.flatMap((p) => ["--proof", p])]));
  assert.equal(result, 0);
  const py = python(["--public-key", key, ...files]);
  assert.equal(py.status, 0, JSON.stringify(py.results.filter((r) => !r.ok)));
  assert.equal(py.results.length, files.length);

  // The other documents: the chain of all eight digests, the epochs, a digest's epoch proof.
  const chain = { format: FORMATS.digestChain, project_id: PROJECT, digests: f.windows.map((w) => w.digest) };
  const epochChain = { format: FORMATS.epochChain, project_id: PROJECT, epochs: f.epochs };
  const epochProof = {
    format: FORMATS.epochProof,
    digest: f.windows[6].digest,
    epoch: buildEpochInclusion(f.epochs[1], f.epochTrees[1], f.windows[6].digest.window_start),
  };
  for (const [name, doc] of Object.entries({ chain, epochChain, epochProof })) {
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(doc));
    assert.ok((await verifyEvidence(doc, f.jwk.x)).ok, name);
  }
  const others = ["chain", "epochChain", "epochProof"].map((n) => path.join(dir, `${n}.json`));
  assert.equal(python(["--public-key", key, ...others]).status, 0);
  assert.equal((await quietly(() => main(["--public-key", key, ...others.flatMap((p) => ["--chain", p])]))).result, 0);

  // A wrong public key: Node refuses every signature, Python the key id.
  const other = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const wrongKey = path.join(dir, "wrong-key.json");
  writeFileSync(wrongKey, JSON.stringify({ public_key: other.x }));
  assert.equal((await quietly(() => main(["--public-key", wrongKey, "--proof", files[0]]))).result, 1);
  const wrong = python(["--public-key", wrongKey, files[0]]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.results[0].problems.join(), /not the public key given/);
});

test("a digest deleted from a chain, or a kept digest that differs, breaks the consistency check", async () => {
  const f = await fixture();
  const dir = mkdtempSync(path.join(tmpdir(), "chain-"));
  const key = path.join(dir, "key.json");
  writeFileSync(key, JSON.stringify({ public_key: f.jwk.x }));
  const digests = f.windows.map((w) => w.digest);
  const kept = path.join(dir, "kept.json");
  writeFileSync(kept, JSON.stringify(digests[1]));
  const whole = path.join(dir, "whole.json");
  writeFileSync(whole, JSON.stringify({ format: FORMATS.digestChain, project_id: PROJECT, digests: digests.slice(1) }));
  assert.equal((await quietly(() => main(["--public-key", key, "--chain", whole, "--kept", kept]))).result, 0);
  assert.equal(python(["--public-key", key, "--kept", kept, whole]).status, 0);

  const gap = path.join(dir, "gap.json");
  const without = digests.filter((_, i) => i !== 3);
  writeFileSync(gap, JSON.stringify({ format: FORMATS.digestChain, project_id: PROJECT, digests: without }));
  const node = await quietly(() => main(["--public-key", key, "--chain", gap]));
  assert.equal(node.result, 1);
  assert.match(node.lines.join("\n"), /a digest is missing.*the chain is broken/);
  const py = python(["--public-key", key, gap]);
  assert.equal(py.status, 1);
  assert.match(py.results[0].problems.join(), /a digest is missing.*the chain is broken/);

  // The kept digest is no longer the one in the chain (a history rewritten from there on).
  const rewritten = path.join(dir, "kept-other.json");
  writeFileSync(rewritten, JSON.stringify({ ...digests[1], root: digests[2].root }));
  assert.equal((await quietly(() => main(["--public-key", key, "--chain", whole, "--kept", rewritten]))).result, 1);
  assert.equal(python(["--public-key", key, "--kept", rewritten, whole]).status, 1);
});

test("changing any byte of a proof, its event, its digest or a chain is detected by both verifiers", async () => {
  const f = await fixture();
  const dir = mkdtempSync(path.join(tmpdir(), "tamper-"));
  const key = path.join(dir, "key.json");
  writeFileSync(key, JSON.stringify({ public_key: f.jwk.x }));
  const documents = {
    "proof-1000": JSON.stringify(proofOf(f, 3, 517)),
    "proof-3": JSON.stringify(proofOf(f, 2, 2), null, 2),
    chain: JSON.stringify({
      format: FORMATS.digestChain,
      project_id: PROJECT,
      digests: f.windows.map((w) => w.digest),
    }),
  };
  const mutants = [];
  for (const [name, text] of Object.entries(documents)) {
    const original = Buffer.from(text, "utf8");
    assert.ok((await verifyEvidence(JSON.parse(text), f.jwk.x)).ok);
    mkdirSync(path.join(dir, name));
    const signatures = signatureRanges(text);
    // Byte offsets equal character offsets only in ASCII; signatures sit after the event's text.
    const shift = original.length - text.length;
    for (let i = 0; i < original.length; i++) {
      const bytes = Buffer.from(original);
      bytes[i] ^= 0x01;
      const file = path.join(dir, name, `${i}.json`);
      writeFileSync(file, bytes);
      const inSignature = signatures.some(([a, b]) => i >= a + shift && i < b + shift);
      mutants.push({ file, bytes, inSignature, where: `${name} byte ${i}` });
    }
  }
  for (const m of mutants) {
    let verdict;
    try {
      verdict = await verifyEvidence(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(m.bytes)), f.jwk.x);
    } catch {
      continue; // not UTF-8 or not JSON any more: refused as such
    }
    assert.equal(verdict.ok, false, `Node accepted ${m.where}`);
  }
  const checked = mutants.filter((m) => !m.inSignature);
  assert.ok(checked.length > 3000, `${checked.length} mutants`);
  const py = python(["--public-key", key, ...checked.map((m) => m.file)]);
  const accepted = py.results.filter((r) => r.ok).map((r) => r.file);
  assert.deepEqual(accepted, [], "Python accepted a changed document");
  assert.equal(py.results.length, checked.length);
});
