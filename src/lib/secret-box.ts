// AES-256-GCM for secrets that must be read back (TOTP secrets), keyed by HKDF-SHA-256 from the
// deployment's SECRETS_KEY and a purpose, so a value sealed for one use cannot be opened as another.

import { base64url } from "./ids";

const encoder = new TextEncoder();

async function keyFor(secret: string, purpose: string): Promise<CryptoKey> {
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
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

export async function seal(secret: string, plaintext: string, purpose: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFor(secret, purpose), encoder.encode(plaintext));
  return `v1.${base64url(iv)}.${base64url(new Uint8Array(ciphertext))}`;
}

export async function open(secret: string, sealed: string, purpose: string): Promise<string> {
  const [version, ivText, dataText] = sealed.split(".");
  if (version !== "v1" || !ivText || !dataText) throw new Error("not a sealed value");
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64url(ivText) }, await keyFor(secret, purpose), fromBase64url(dataText));
    return new TextDecoder().decode(plain);
  } catch {
    throw new Error("the sealed value was altered, or sealed with another key or purpose");
  }
}
