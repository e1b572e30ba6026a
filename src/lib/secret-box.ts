// AES-256-GCM for secrets that must be read back (TOTP secrets), keyed by HKDF-SHA-256 from the
// deployment's SECRETS_KEY and a purpose, so a value sealed for one use cannot be opened as another.

import { InvariantError } from "./errors";
import { base64url } from "./ids";

/** A value that is not one this deployment sealed for this purpose: malformed, altered, or another key's. */
export class SealError extends Error {
  override readonly name = "SealError";
}

const encoder = new TextEncoder();
const IV_BYTES = 12;
const MIN_SECRET_LENGTH = 32;

async function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
  // A short key is a deployment mistake; failing here beats quietly weak encryption.
  if (secret.length < MIN_SECRET_LENGTH)
    throw new InvariantError(`the secret-box key must be at least ${MIN_SECRET_LENGTH} characters`);
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: encoder.encode(`trailbook:${purpose}`) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

function fromBase64url(text: string): Uint8Array {
  // atob would also accept standard base64 and whitespace; only our own encoding is a sealed value.
  // A length of 4n+1 passes the pattern but is still not base64, hence the length check.
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) throw new SealError("not a sealed value");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

export async function seal(secret: string, plaintext: string, purpose: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await keyFor(secret, purpose),
    encoder.encode(plaintext),
  );
  return `v1.${base64url(iv)}.${base64url(new Uint8Array(ciphertext))}`;
}

export async function open(secret: string, sealed: string, purpose: string): Promise<string> {
  const parts = sealed.split(".");
  const [version, ivText, dataText] = parts;
  if (parts.length !== 3 || version !== "v1" || !ivText || !dataText) throw new SealError("not a sealed value");
  const iv = fromBase64url(ivText);
  const data = fromBase64url(dataText);
  if (iv.length !== IV_BYTES) throw new SealError("not a sealed value");
  const key = await keyFor(secret, purpose);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, data),
    );
  } catch {
    throw new SealError("the sealed value was altered, or sealed with another key or purpose");
  }
}
