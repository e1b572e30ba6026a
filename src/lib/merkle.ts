// Merkle tree hash of RFC 6962 (Certificate Transparency; RFC 9162 §2.1): leaves are
// SHA-256(0x00 || hash), inner nodes SHA-256(0x01 || left || right), the empty tree SHA-256("").
// Building it bottom-up, pairing neighbours and carrying an odd last node up a level unchanged,
// gives exactly RFC 6962's tree (its left subtree is always the largest power of two below n), so
// audit paths here are RFC 6962 PATH(m, D[n]) and verify with RFC 9162 §2.1.3.2. No imports, so
// the offline verifier (scripts/verify.mjs) runs this same file under Node.

const NODE = 32;

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

async function sha256(parts: Uint8Array[]): Promise<Uint8Array> {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

const LEAF = new Uint8Array([0]);
const INNER = new Uint8Array([1]);

/** The leaf hash of one entry (an event's or a digest's SHA-256, hex): SHA-256(0x00 || entry). */
export async function leafHash(entry: string): Promise<Uint8Array> {
  return sha256([LEAF, hexToBytes(entry)]);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256([INNER, left, right]);
}

/** How many nodes each level of a tree of `size` leaves has, leaves first, the root (1) last. */
export function levelSizes(size: number): number[] {
  if (size <= 0) return [];
  const sizes = [size];
  while ((sizes.at(-1) as number) > 1) sizes.push(Math.ceil((sizes.at(-1) as number) / 2));
  return sizes;
}

/**
 * A whole tree: one byte array per level (32 bytes a node), leaf hashes first, the root last. Kept
 * beside a digest (R2), an audit path is then a lookup per level instead of hashing every leaf again.
 */
export type MerkleTree = { size: number; levels: Uint8Array[] };

export async function merkleTree(entries: string[]): Promise<MerkleTree> {
  if (entries.length === 0) return { size: 0, levels: [] };
  const leaves = new Uint8Array(entries.length * NODE);
  for (const [i, entry] of entries.entries()) leaves.set(await leafHash(entry), i * NODE);
  const levels = [leaves];
  for (let count = entries.length; count > 1; count = Math.ceil(count / 2)) {
    const below = levels.at(-1) as Uint8Array;
    const next = new Uint8Array(Math.ceil(count / 2) * NODE);
    for (let i = 0; i < count; i += 2) {
      const left = below.subarray(i * NODE, (i + 1) * NODE);
      next.set(
        i + 1 < count ? await nodeHash(left, below.subarray((i + 1) * NODE, (i + 2) * NODE)) : left,
        (i / 2) * NODE,
      );
    }
    levels.push(next);
  }
  return { size: entries.length, levels };
}

/** The tree's root, hex; the empty tree's is SHA-256(""). */
export async function treeRoot(tree: MerkleTree): Promise<string> {
  const top = tree.levels.at(-1);
  return top ? toHex(top) : toHex(await sha256([]));
}

/** The root of the given leaf entries (hex SHA-256), in order, as hex. */
export async function merkleRoot(hashes: string[]): Promise<string> {
  return treeRoot(await merkleTree(hashes));
}

/** The tree as one byte string: its levels one after the other. */
export function treeBytes(tree: MerkleTree): Uint8Array {
  const out = new Uint8Array(tree.levels.reduce((n, l) => n + l.length, 0));
  let offset = 0;
  for (const level of tree.levels) {
    out.set(level, offset);
    offset += level.length;
  }
  return out;
}

/** Reads treeBytes back for a tree of `size` leaves; undefined when the length does not fit. */
export function treeFromBytes(bytes: Uint8Array, size: number): MerkleTree | undefined {
  const sizes = levelSizes(size);
  if (bytes.length !== sizes.reduce((n, s) => n + s * NODE, 0)) return undefined;
  const levels: Uint8Array[] = [];
  let offset = 0;
  for (const s of sizes) {
    levels.push(bytes.subarray(offset, offset + s * NODE));
    offset += s * NODE;
  }
  return { size, levels };
}

/** Where the entry's leaf is in the tree, or -1. Entries are unique (an event's hash covers its id). */
export async function leafIndexOf(tree: MerkleTree, entry: string): Promise<number> {
  const leaves = tree.levels[0];
  if (!leaves) return -1;
  const wanted = await leafHash(entry);
  outer: for (let i = 0; i < tree.size; i++) {
    for (let b = 0; b < NODE; b++) if (leaves[i * NODE + b] !== wanted[b]) continue outer;
    return i;
  }
  return -1;
}

/** RFC 6962 PATH(index, D[size]): the sibling hashes from the leaf up, hex. */
export function auditPath(tree: MerkleTree, index: number): string[] {
  const path: string[] = [];
  let i = index;
  for (const [depth, level] of tree.levels.entries()) {
    const count = level.length / NODE;
    if (depth === tree.levels.length - 1) break;
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    // The odd last node of a level has no sibling: it moves up unchanged, adding nothing to the path.
    if (sibling < count) path.push(toHex(level.subarray(sibling * NODE, (sibling + 1) * NODE)));
    i = Math.floor(i / 2);
  }
  return path;
}

/**
 * RFC 9162 §2.1.3.2: the root that an audit path leads to from an entry at `index` of a tree of
 * `size` leaves, hex; undefined when the path cannot belong to such a tree (wrong length, index
 * out of range).
 */
export async function rootFromAuditPath(
  entry: string,
  index: number,
  size: number,
  path: string[],
): Promise<string | undefined> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = await leafHash(entry);
  for (const p of path) {
    if (sn === 0) return undefined;
    const sibling = hexToBytes(p);
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? toHex(r) : undefined;
}

export async function sha256Text(text: string): Promise<string> {
  return toHex(await sha256([new TextEncoder().encode(text)]));
}
