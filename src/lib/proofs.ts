// Evidence a verifier checks without trusting Trailbook (README "Proofs, epochs and published
// roots"): an event's inclusion proof, a digest's place in its epoch, and chains of digests or
// epochs. The same code builds the documents (the API) and checks them (`npm run verify`, tests);
// test/fixtures/verify_proof.py checks the same documents in Python. Imports carry their .ts
// extension so Node runs this file as it is.
import { canonicalJson } from "./canonical-json.ts";
import { auditPath, type MerkleTree, rootFromAuditPath, sha256Text } from "./merkle.ts";
import { isBase64urlOf, keyId, type SigningJwk, signText, verifyText } from "./signing.ts";
import { digestBody } from "./verify-offline.ts";

/** A digest covers the events received in one hour. */
export const WINDOW_MS = 3_600_000;
/** The previous hash of a project's first digest and first epoch. */
export const GENESIS = "0".repeat(64);

export const FORMATS = {
  inclusion: "trailbook.inclusion-proof/1",
  epochProof: "trailbook.epoch-proof/1",
  digestChain: "trailbook.digest-chain/1",
  epochChain: "trailbook.epoch-chain/1",
} as const;

/** A digest as evidence documents and the public copies carry it: what its hash covers, the hash, the signature. */
export type SignedDigest = {
  project_id: string;
  window_start: number;
  window_end: number;
  event_count: number;
  root: string;
  previous_hash: string;
  hash: string;
  signature: string;
  key_id: string;
};
export type DigestFields = Omit<SignedDigest, "hash" | "signature" | "key_id">;

/** A Merkle tree over a run of digest hashes (an epoch), chained to the previous epoch and signed. */
export type SignedEpoch = {
  project_id: string;
  epoch: number;
  first_window_start: number;
  window_end: number;
  digest_count: number;
  root: string;
  previous_hash: string;
  hash: string;
  signature: string;
  key_id: string;
};
export type EpochFields = Omit<SignedEpoch, "hash" | "signature" | "key_id">;

/** An RFC 6962 audit path: the entry's position, the tree's size, the sibling hashes from the leaf up. */
export type Inclusion = { leaf_index: number; tree_size: number; audit_path: string[] };
export type EpochInclusion = { record: SignedEpoch; inclusion: Inclusion };

export type InclusionProof = {
  format: typeof FORMATS.inclusion;
  /** `data` is the stored event exactly as hashed (RFC 8785 JSON after redaction). */
  event: { id: string; data: string; hash: string };
  inclusion: Inclusion;
  digest: SignedDigest;
  /** The digest's place in its epoch, once the epoch is closed. */
  epoch: EpochInclusion | null;
};
export type EpochProof = { format: typeof FORMATS.epochProof; digest: SignedDigest; epoch: EpochInclusion };
export type DigestChain = { format: typeof FORMATS.digestChain; project_id: string; digests: SignedDigest[] };
export type EpochChain = { format: typeof FORMATS.epochChain; project_id: string; epochs: SignedEpoch[] };

const DIGEST_KEYS = [
  "project_id",
  "window_start",
  "window_end",
  "event_count",
  "root",
  "previous_hash",
  "hash",
  "signature",
  "key_id",
] as const;
const EPOCH_KEYS = [
  "project_id",
  "epoch",
  "first_window_start",
  "window_end",
  "digest_count",
  "root",
  "previous_hash",
  "hash",
  "signature",
  "key_id",
] as const;

/** What an epoch's hash covers. */
export function epochBody(e: EpochFields): string {
  return canonicalJson({
    project_id: e.project_id,
    epoch: e.epoch,
    first_window_start: e.first_window_start,
    window_end: e.window_end,
    digest_count: e.digest_count,
    root: e.root,
    previous_hash: e.previous_hash,
  });
}

/** Hashes and signs a digest: SHA-256 of its RFC 8785 body, hex; Ed25519 over that hex text. */
export async function signDigest(jwk: SigningJwk, fields: DigestFields): Promise<SignedDigest> {
  const hash = await sha256Text(digestBody(fields));
  return { ...fields, hash, signature: await signText(jwk, hash), key_id: await keyId(jwk.x) };
}

export async function signEpoch(jwk: SigningJwk, fields: EpochFields): Promise<SignedEpoch> {
  const hash = await sha256Text(epochBody(fields));
  return { ...fields, hash, signature: await signText(jwk, hash), key_id: await keyId(jwk.x) };
}

/** Only the fields of a signed digest, in their order (a database row or an API view may carry more). */
export function signedDigest(d: SignedDigest): SignedDigest {
  return Object.fromEntries(DIGEST_KEYS.map((k) => [k, d[k]])) as SignedDigest;
}

export function signedEpoch(e: SignedEpoch): SignedEpoch {
  return Object.fromEntries(EPOCH_KEYS.map((k) => [k, e[k]])) as SignedEpoch;
}

/** The RFC 6962 audit path of the entry at `index` of a tree. */
export function inclusionOf(tree: MerkleTree, index: number): Inclusion {
  return { leaf_index: index, tree_size: tree.size, audit_path: auditPath(tree, index) };
}

/** An event's inclusion proof: the event as hashed, its path in its digest's tree, the digest, its epoch's path. */
export function buildInclusionProof(
  event: { id: string; data: string; hash: string },
  tree: MerkleTree,
  index: number,
  digest: SignedDigest,
  epoch: EpochInclusion | null,
): InclusionProof {
  return {
    format: FORMATS.inclusion,
    event: { id: event.id, data: event.data, hash: event.hash },
    inclusion: inclusionOf(tree, index),
    digest: signedDigest(digest),
    epoch,
  };
}

/** A digest's place in its epoch: the epoch and the path of the digest's hash in the epoch's tree. */
export function buildEpochInclusion(epoch: SignedEpoch, tree: MerkleTree, digestWindowStart: number): EpochInclusion {
  return {
    record: signedEpoch(epoch),
    inclusion: inclusionOf(tree, (digestWindowStart - epoch.first_window_start) / WINDOW_MS),
  };
}

export type Verdict = { ok: boolean; kind: string; problems: string[]; summary: string };

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const PROJECT_ID = /^[\x21-\x7e]{1,200}$/;
const iso = (ms: number) => new Date(ms).toISOString();

/** Collects what is wrong with a document; every field is checked, unknown or missing fields too. */
class Checker {
  readonly problems: string[] = [];
  readonly publicKey: string;
  readonly kid: string;
  // Plain fields, not parameter properties: Node runs this file by stripping types only.
  constructor(publicKey: string, kid: string) {
    this.publicKey = publicKey;
    this.kid = kid;
  }

  fail(message: string): false {
    this.problems.push(message);
    return false;
  }

  object(value: unknown, keys: readonly string[], where: string): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return this.fail(`${where} is not an object`);
    const have = Object.keys(value).sort().join(",");
    const want = [...keys].sort().join(",");
    if (have !== want) return this.fail(`${where} must have exactly the fields ${[...keys].join(", ")}`);
    return true;
  }

  int(value: unknown, where: string): value is number {
    return (
      (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) ||
      this.fail(`${where} is not a whole number`)
    );
  }

  hex(value: unknown, where: string): value is string {
    return (typeof value === "string" && HEX64.test(value)) || this.fail(`${where} is not 64 lowercase hex digits`);
  }

  async signed(record: { hash: string; signature: unknown; key_id: unknown }, where: string): Promise<void> {
    if (typeof record.key_id !== "string" || !KEY_ID.test(record.key_id)) this.fail(`${where}.key_id is malformed`);
    else if (record.key_id !== this.kid)
      this.fail(`${where} names key ${record.key_id}, not the public key given (${this.kid})`);
    if (!isBase64urlOf(record.signature, 64)) this.fail(`${where}.signature is not a base64url Ed25519 signature`);
    else if (!(await verifyText(this.publicKey, record.hash, record.signature)))
      this.fail(`${where}: the signature does not match the public key`);
  }

  async digest(value: unknown, where: string): Promise<boolean> {
    if (!this.object(value, DIGEST_KEYS, where)) return false;
    const before = this.problems.length;
    if (typeof value.project_id !== "string" || !PROJECT_ID.test(value.project_id))
      this.fail(`${where}.project_id is malformed`);
    for (const k of ["window_start", "window_end", "event_count"]) this.int(value[k], `${where}.${k}`);
    for (const k of ["root", "previous_hash", "hash"]) this.hex(value[k], `${where}.${k}`);
    if (this.problems.length > before) return false;
    const d = value as SignedDigest;
    if (d.window_end - d.window_start !== WINDOW_MS) this.fail(`${where} does not cover one hour`);
    if ((await sha256Text(digestBody(d))) !== d.hash)
      this.fail(`${where}: its fields do not hash to its hash (altered)`);
    await this.signed(d, where);
    return this.problems.length === before;
  }

  async epoch(value: unknown, where: string): Promise<boolean> {
    if (!this.object(value, EPOCH_KEYS, where)) return false;
    const before = this.problems.length;
    if (typeof value.project_id !== "string" || !PROJECT_ID.test(value.project_id))
      this.fail(`${where}.project_id is malformed`);
    for (const k of ["epoch", "first_window_start", "window_end", "digest_count"]) this.int(value[k], `${where}.${k}`);
    for (const k of ["root", "previous_hash", "hash"]) this.hex(value[k], `${where}.${k}`);
    if (this.problems.length > before) return false;
    const e = value as SignedEpoch;
    if (e.digest_count < 1 || e.window_end - e.first_window_start !== e.digest_count * WINDOW_MS)
      this.fail(`${where} does not cover digest_count hours`);
    if ((await sha256Text(epochBody(e))) !== e.hash)
      this.fail(`${where}: its fields do not hash to its hash (altered)`);
    await this.signed(e, where);
    return this.problems.length === before;
  }

  inclusion(value: unknown, where: string): value is Inclusion {
    if (!this.object(value, ["leaf_index", "tree_size", "audit_path"], where)) return false;
    const before = this.problems.length;
    this.int(value.leaf_index, `${where}.leaf_index`);
    this.int(value.tree_size, `${where}.tree_size`);
    if (!Array.isArray(value.audit_path)) this.fail(`${where}.audit_path is not a list`);
    else for (const [i, h] of value.audit_path.entries()) this.hex(h, `${where}.audit_path[${i}]`);
    return this.problems.length === before;
  }

  /** The entry's path leads to `root` in a tree of `size` leaves. */
  async path(entry: string, inclusion: Inclusion, size: number, root: string, where: string): Promise<void> {
    if (inclusion.tree_size !== size) this.fail(`${where}.tree_size is not the number of entries the root covers`);
    const computed = await rootFromAuditPath(entry, inclusion.leaf_index, inclusion.tree_size, inclusion.audit_path);
    if (computed === undefined) this.fail(`${where} is not a path of a tree of ${inclusion.tree_size} entries`);
    else if (computed !== root) this.fail(`${where} does not lead to the root it is checked against`);
  }

  async epochInclusion(value: unknown, digest: SignedDigest, where: string): Promise<void> {
    if (!this.object(value, ["record", "inclusion"], where)) return;
    const epochOk = await this.epoch(value.record, `${where}.record`);
    const inclusionOk = this.inclusion(value.inclusion, `${where}.inclusion`);
    if (!epochOk || !inclusionOk) return;
    const e = value.record as SignedEpoch;
    const inclusion = value.inclusion as Inclusion;
    if (e.project_id !== digest.project_id) this.fail(`${where}.record is another project's epoch`);
    const position = (digest.window_start - e.first_window_start) / WINDOW_MS;
    if (inclusion.leaf_index !== position)
      this.fail(`${where}.inclusion.leaf_index is not the digest's hour in the epoch`);
    await this.path(digest.hash, inclusion, e.digest_count, e.root, `${where}.inclusion`);
  }
}

async function inclusionProof(doc: Record<string, unknown>, check: Checker): Promise<string> {
  if (!check.object(doc, ["format", "event", "inclusion", "digest", "epoch"], "the proof")) return "";
  const event = doc.event;
  let eventOk = false;
  if (check.object(event, ["id", "data", "hash"], "event")) {
    const before = check.problems.length;
    if (typeof event.id !== "string") check.fail("event.id is not a string");
    if (typeof event.data !== "string") check.fail("event.data is not a string");
    check.hex(event.hash, "event.hash");
    if (check.problems.length === before) {
      if ((await sha256Text(event.data as string)) !== event.hash)
        check.fail("event: its data does not hash to its hash (altered)");
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data as string);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        check.fail("event.data is not a JSON object");
      else if ((parsed as { id?: unknown }).id !== event.id) check.fail("event.id is not the id inside its data");
      eventOk = check.problems.length === before;
    }
  }
  const digestOk = await check.digest(doc.digest, "digest");
  const inclusionOk = check.inclusion(doc.inclusion, "inclusion");
  if (!digestOk || !inclusionOk || !eventOk) return "";
  const digest = doc.digest as SignedDigest;
  const { id, hash } = event as { id: string; hash: string };
  await check.path(hash, doc.inclusion as Inclusion, digest.event_count, digest.root, "inclusion");
  if (doc.epoch !== null) await check.epochInclusion(doc.epoch, digest, "epoch");
  const epoch =
    doc.epoch === null ? "" : `, and that digest is in epoch ${(doc.epoch as EpochInclusion).record?.epoch}`;
  return `event ${id} is in the digest of ${iso(digest.window_start)} – ${iso(digest.window_end)}${epoch}`;
}

async function epochProof(doc: Record<string, unknown>, check: Checker): Promise<string> {
  if (!check.object(doc, ["format", "digest", "epoch"], "the proof")) return "";
  if (!(await check.digest(doc.digest, "digest"))) return "";
  const digest = doc.digest as SignedDigest;
  await check.epochInclusion(doc.epoch, digest, "epoch");
  return `the digest of ${iso(digest.window_start)} is in epoch ${(doc.epoch as EpochInclusion | undefined)?.record?.epoch}`;
}

/** Finds the kept digest in the chain: same window and every field the same. */
function keptIn(chain: SignedDigest[], kept: unknown, check: Checker): void {
  const k = kept as Partial<SignedDigest> | null;
  const match = chain.find((d) => d.window_start === k?.window_start);
  if (!match) {
    check.fail("the kept digest's window is not in the chain");
    return;
  }
  // Every field must match: Ed25519 signatures are deterministic, so an honest chain repeats them too.
  for (const field of DIGEST_KEYS)
    if (match[field] !== k?.[field])
      check.fail(`the kept digest differs from the chain's at ${iso(match.window_start)} (${field})`);
}

async function digestChain(doc: Record<string, unknown>, check: Checker, kept: unknown): Promise<string> {
  if (!check.object(doc, ["format", "project_id", "digests"], "the chain")) return "";
  if (!Array.isArray(doc.digests) || doc.digests.length === 0) {
    check.fail("digests is not a non-empty list");
    return "";
  }
  const list = doc.digests as unknown[];
  let previous: SignedDigest | undefined;
  for (const [i, d] of list.entries()) {
    const ok = await check.digest(d, `digests[${i}]`);
    if (!ok) {
      previous = undefined;
      continue;
    }
    const digest = d as SignedDigest;
    if (digest.project_id !== doc.project_id) check.fail(`digests[${i}] is another project's digest`);
    if (previous) {
      if (digest.window_start !== previous.window_end)
        check.fail(`digests[${i}] (${iso(digest.window_start)}) does not follow the previous one: a digest is missing`);
      if (digest.previous_hash !== previous.hash)
        check.fail(
          `digests[${i}] (${iso(digest.window_start)}) does not name the previous digest's hash: the chain is broken`,
        );
    }
    previous = digest;
  }
  if (kept !== undefined && check.problems.length === 0) keptIn(list as SignedDigest[], kept, check);
  const first = list[0] as SignedDigest;
  const last = list.at(-1) as SignedDigest;
  return `${list.length} digests chain from ${iso(first.window_start)} to ${iso(last.window_end)}`;
}

async function epochChain(doc: Record<string, unknown>, check: Checker): Promise<string> {
  if (!check.object(doc, ["format", "project_id", "epochs"], "the chain")) return "";
  if (!Array.isArray(doc.epochs) || doc.epochs.length === 0) {
    check.fail("epochs is not a non-empty list");
    return "";
  }
  let previous: SignedEpoch | undefined;
  for (const [i, e] of (doc.epochs as unknown[]).entries()) {
    if (!(await check.epoch(e, `epochs[${i}]`))) {
      previous = undefined;
      continue;
    }
    const epoch = e as SignedEpoch;
    if (epoch.project_id !== doc.project_id) check.fail(`epochs[${i}] is another project's epoch`);
    if (epoch.epoch === 0 && epoch.previous_hash !== GENESIS)
      check.fail("epochs[0] is the first epoch but names a previous one");
    if (previous) {
      if (epoch.epoch !== previous.epoch + 1 || epoch.first_window_start !== previous.window_end)
        check.fail(`epochs[${i}] does not follow the previous epoch: one is missing`);
      if (epoch.previous_hash !== previous.hash) check.fail(`epochs[${i}] does not name the previous epoch's hash`);
    }
    previous = epoch;
  }
  return `${(doc.epochs as unknown[]).length} epochs chain`;
}

/**
 * Checks an evidence document (any of FORMATS) with the deployment's public key (base64url):
 * every hash, path, link and signature. `kept`: a digest the verifier kept earlier, which a digest
 * chain must contain unchanged.
 */
export async function verifyEvidence(
  doc: unknown,
  publicKey: string,
  options: { kept?: unknown } = {},
): Promise<Verdict> {
  const check = new Checker(publicKey, await keyId(publicKey));
  const format = typeof doc === "object" && doc !== null ? (doc as { format?: unknown }).format : undefined;
  let summary = "";
  const record = doc as Record<string, unknown>;
  if (format === FORMATS.inclusion) summary = await inclusionProof(record, check);
  else if (format === FORMATS.epochProof) summary = await epochProof(record, check);
  else if (format === FORMATS.digestChain) summary = await digestChain(record, check, options.kept);
  else if (format === FORMATS.epochChain) summary = await epochChain(record, check);
  else check.fail(`not a Trailbook evidence document (format must be one of ${Object.values(FORMATS).join(", ")})`);
  const ok = check.problems.length === 0;
  return {
    ok,
    kind: typeof format === "string" ? format : "unknown",
    problems: check.problems,
    summary: ok ? summary : "",
  };
}
