// Merkle tree hash of RFC 6962 (Certificate Transparency): leaves are SHA-256(0x00 || hash),
// inner nodes SHA-256(0x01 || left || right), the empty tree SHA-256(""). No imports, so the offline
// verifier (scripts/verify.mjs) runs this same file under Node.

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
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

/** The root of the given leaf hashes (hex SHA-256), in order, as hex. */
export async function merkleRoot(hashes: string[]): Promise<string> {
  if (hashes.length === 0) return toHex(await sha256([]));
  let level = await Promise.all(hashes.map((h) => sha256([new Uint8Array([0]), hexToBytes(h)])));
  // Pairing neighbours and carrying an odd last node up unchanged gives RFC 6962's tree.
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1];
      next.push(right ? await sha256([new Uint8Array([1]), left, right]) : left);
    }
    level = next;
  }
  return toHex(level[0] as Uint8Array);
}

export async function sha256Text(text: string): Promise<string> {
  return toHex(await sha256([new TextEncoder().encode(text)]));
}
