import { describe, expect, it } from "vitest";
import {
  auditPath,
  leafIndexOf,
  merkleRoot,
  merkleTree,
  rootFromAuditPath,
  sha256Text,
  toHex,
  treeBytes,
  treeFromBytes,
  treeRoot,
} from "../../src/lib/merkle";

// RFC 6962 §2.1 written as the RFC writes it (recursive, split at the largest power of two below
// n), to check the bottom-up tree the digests sign against.
async function h(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}
const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
async function mth(d: Uint8Array[]): Promise<Uint8Array> {
  if (d.length === 0) return h();
  if (d.length === 1) return h(new Uint8Array([0]), d[0] as Uint8Array);
  const k = split(d.length);
  return h(new Uint8Array([1]), await mth(d.slice(0, k)), await mth(d.slice(k)));
}
async function path(m: number, d: Uint8Array[]): Promise<Uint8Array[]> {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...(await path(m, d.slice(0, k))), await mth(d.slice(k))]
    : [...(await path(m - k, d.slice(k))), await mth(d.slice(0, k))];
}

describe("Merkle trees (RFC 6962)", () => {
  it("roots and audit paths are RFC 6962's for every size up to 40 and every leaf", async () => {
    for (let n = 0; n <= 40; n++) {
      const entries = await Promise.all(Array.from({ length: n }, (_, i) => sha256Text(`event ${i}`)));
      const data = entries.map(bytes);
      const tree = await merkleTree(entries);
      const root = toHex(await mth(data));
      expect(await treeRoot(tree), `root of ${n}`).toBe(root);
      expect(await merkleRoot(entries)).toBe(root);
      for (let m = 0; m < n; m++) {
        const expected = (await path(m, data)).map(toHex);
        expect(auditPath(tree, m), `path ${m} of ${n}`).toEqual(expected);
        expect(await rootFromAuditPath(entries[m] as string, m, n, expected)).toBe(root);
        expect(await leafIndexOf(tree, entries[m] as string)).toBe(m);
      }
    }
    expect(await merkleRoot([])).toBe(await sha256Text(""));
  });

  it("a path checked at another index, with a sibling changed, too long or too short, leads elsewhere", async () => {
    const entries = await Promise.all(Array.from({ length: 11 }, (_, i) => sha256Text(`e${i}`)));
    const tree = await merkleTree(entries);
    const root = await treeRoot(tree);
    const entry = entries[6] as string;
    const good = auditPath(tree, 6);
    expect(await rootFromAuditPath(entry, 6, 11, good)).toBe(root);
    expect(await rootFromAuditPath(entry, 7, 11, good)).not.toBe(root);
    expect(await rootFromAuditPath(entry, 6, 7, good)).not.toBe(root);
    expect(await rootFromAuditPath(entry, 6, 11, [...good, root])).toBeUndefined();
    expect(await rootFromAuditPath(entry, 6, 11, good.slice(1))).not.toBe(root);
    expect(await rootFromAuditPath(entry, 11, 11, good)).toBeUndefined();
    const changed = [...good];
    changed[1] = `${(changed[1] as string).slice(0, 63)}${(changed[1] as string).endsWith("0") ? "1" : "0"}`;
    expect(await rootFromAuditPath(entry, 6, 11, changed)).not.toBe(root);
    expect(await leafIndexOf(tree, await sha256Text("not in it"))).toBe(-1);
  });

  it("a tree kept as bytes reads back only at its own size", async () => {
    const entries = await Promise.all(Array.from({ length: 1000 }, (_, i) => sha256Text(`e${i}`)));
    const tree = await merkleTree(entries);
    const stored = treeBytes(tree);
    // 1000 + 500 + 250 + 125 + 63 + 32 + 16 + 8 + 4 + 2 + 1 nodes of 32 bytes.
    expect(stored.length).toBe(2001 * 32);
    const back = treeFromBytes(stored, 1000);
    expect(back && (await treeRoot(back))).toBe(await treeRoot(tree));
    expect(back && auditPath(back, 517)).toEqual(auditPath(tree, 517));
    expect(treeFromBytes(stored, 999)).toBeUndefined();
  });
});
