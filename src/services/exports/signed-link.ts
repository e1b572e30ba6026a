import { timingSafeEqual } from "../../lib/crypto";
import { base64url } from "../../lib/ids";

// A download link that works without an API key, for clients that expect one (WorkOS exports):
// HMAC-SHA256 of the export id and expiry with SECRETS_KEY, valid for an hour.

export const LINK_LIFETIME_MS = 3600_000;

async function mac(secret: string, exportId: string, expires: number): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(`export-link:${secret}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return base64url(
    new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${exportId}.${expires}`))),
  );
}

export async function signedExportUrl(
  origin: string,
  secret: string,
  exportId: string,
  now = Date.now(),
): Promise<string> {
  const expires = now + LINK_LIFETIME_MS;
  return `${origin}/v1/export-files/${exportId}?expires=${expires}&signature=${await mac(secret, exportId, expires)}`;
}

export async function checkExportLink(
  secret: string,
  exportId: string,
  expires: string | undefined,
  signature: string | undefined,
  now = Date.now(),
): Promise<boolean> {
  const at = Number(expires);
  if (!signature || !Number.isSafeInteger(at) || at < now) return false;
  return timingSafeEqual(await mac(secret, exportId, at), signature);
}
