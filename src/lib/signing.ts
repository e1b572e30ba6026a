// Ed25519 signatures for integrity digests, with the deployment's key given as a JWK
// (INTEGRITY_SIGNING_KEY). Verification needs only the public part (`x`). No imports, so the
// offline verifier uses this file too.

export type SigningJwk = { kty: "OKP"; crv: "Ed25519"; x: string; d: string };

export function fromBase64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

export function toBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** INTEGRITY_SIGNING_KEY is not an Ed25519 private key as a JWK: a deployment mistake. */
export class SigningKeyError extends Error {
  override readonly name = "SigningKeyError";
}

export function parseSigningKey(text: string): SigningJwk {
  const jwk = JSON.parse(text) as Partial<SigningJwk>;
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || typeof jwk.d !== "string") {
    throw new SigningKeyError(
      "INTEGRITY_SIGNING_KEY must be an Ed25519 private key as a JWK: {kty: OKP, crv: Ed25519, x, d}",
    );
  }
  return jwk as SigningJwk;
}

/** A short, stable id of a public key: the first 16 hex characters of SHA-256 of its bytes. */
export async function keyId(publicKey: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", fromBase64url(publicKey)));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signText(jwk: SigningJwk, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("jwk", { ...jwk, key_ops: ["sign"] }, { name: "Ed25519" }, false, ["sign"]);
  return toBase64url(
    new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, new TextEncoder().encode(text))),
  );
}

export async function verifyText(publicKey: string, text: string, signature: string): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", fromBase64url(publicKey), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, fromBase64url(signature), new TextEncoder().encode(text));
}

/**
 * Whether `text` is the one unpadded base64url spelling of exactly `length` bytes. Decoders ignore
 * the unused low bits of the last character, so without the round trip two spellings would pass
 * for the same signature.
 */
export function isBase64urlOf(text: unknown, length: number): text is string {
  if (typeof text !== "string" || text.length !== Math.ceil((length * 4) / 3) || !/^[A-Za-z0-9_-]*$/.test(text))
    return false;
  return toBase64url(fromBase64url(text)) === text;
}

/** SubjectPublicKeyInfo DER of an Ed25519 key, before its 32 key bytes (RFC 8410). */
const SPKI_PREFIX = "302a300506032b6570032100";

/**
 * An Ed25519 public key as people hand it over, normalised to base64url of its 32 bytes: PEM
 * (`-----BEGIN PUBLIC KEY-----`), base64 or base64url of the raw key or of its DER, or 64 hex digits.
 * Undefined when it is none of these.
 */
export function parsePublicKey(input: string): string | undefined {
  const text = input.trim();
  let bytes: Uint8Array;
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    bytes = Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
  } else {
    const body = text
      .replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "")
      .replace(/\s+/g, "")
      .replace(/=+$/, "");
    if (!/^[A-Za-z0-9+/_-]+$/.test(body)) return undefined;
    try {
      bytes = fromBase64url(body);
    } catch {
      return undefined;
    }
  }
  if (bytes.length === 44) {
    const prefix = [...bytes.subarray(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
    if (prefix !== SPKI_PREFIX) return undefined;
    bytes = bytes.subarray(12);
  }
  return bytes.length === 32 ? toBase64url(bytes) : undefined;
}

/** Ed25519 over raw bytes (a request body as sent), with a base64url public key and signature. */
export async function verifyBytes(publicKey: string, bytes: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", fromBase64url(publicKey), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, bytes);
}
