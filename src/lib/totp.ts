// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s), the variant every authenticator app supports.
import { encode } from "uqr";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP_SECONDS = 30;

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/[\s=]/g, "");
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) throw new RangeError(`"${ch}" is not a base32 character`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

export function generateTotpSecret(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(20)));
}

/** HOTP (RFC 4226) of one counter value, as 6 digits. */
export async function totpCode(secret: string, counter: number): Promise<string> {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`invalid HOTP counter ${counter}`);
  const key = await crypto.subtle.importKey("raw", base32Decode(secret), { name: "HMAC", hash: "SHA-1" }, false, [
    "sign",
  ]);
  const message = new DataView(new ArrayBuffer(8));
  message.setUint32(0, Math.floor(counter / 2 ** 32));
  message.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message.buffer));
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary =
    (((mac[offset] ?? 0) & 0x7f) << 24) |
    ((mac[offset + 1] ?? 0) << 16) |
    ((mac[offset + 2] ?? 0) << 8) |
    (mac[offset + 3] ?? 0);
  return String(binary % 1_000_000).padStart(6, "0");
}

/**
 * Checks a code against the time steps around `now` (±`window`, for clock drift) and returns the
 * matching step, so the caller can refuse a step that was already used; null when none matches.
 */
export async function verifyTotp(secret: string, code: string, now = Date.now(), window = 1): Promise<number | null> {
  const given = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(given)) return null;
  const current = Math.floor(now / 1000 / STEP_SECONDS);
  let match: number | null = null;
  for (let counter = Math.max(0, current - window); counter <= current + window; counter++) {
    const expected = await totpCode(secret, counter);
    let diff = 0;
    for (let i = 0; i < 6; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
    if (diff === 0 && match === null) match = counter;
  }
  return match;
}

export function totpUri(input: { secret: string; account: string; issuer: string }): string {
  // URLSearchParams would write spaces as "+", which authenticator apps show literally.
  const params: [string, string][] = [
    ["secret", input.secret],
    ["issuer", input.issuer],
    ["algorithm", "SHA1"],
    ["digits", "6"],
    ["period", String(STEP_SECONDS)],
  ];
  const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
  return `otpauth://totp/${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}?${query}`;
}

// 32 characters (no 0/o, 1/l) so that `byte & 31` picks each one equally often.
const RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** Single-use codes like `k7qm-2xpa-9rtd`, for when the authenticator is lost. */
export function generateRecoveryCodes(count = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET.charAt(b & 31)).join("");
    codes.add(`${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`);
  }
  return [...codes];
}

const QUIET_ZONE = 4;

/**
 * The enrolment QR code as an SVG document, one module per viewBox unit. Built from uqr's module
 * matrix rather than its renderSVG, which has no accessible name and blurs module edges when scaled.
 */
export function qrCodeSvg(text: string): string {
  const { data, size } = encode(text, { ecc: "M", border: 0 });
  const full = size + 2 * QUIET_ZONE;
  let d = "";
  data.forEach((row, y) => {
    // One horizontal run per stretch of dark modules keeps the path short.
    for (let x = 0; x < size; x++) {
      if (!row[x]) continue;
      const start = x;
      while (row[x + 1]) x++;
      d += `M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start + 1}v1h${-(x - start + 1)}z`;
    }
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" role="img" aria-label="QR code for adding this account to an authenticator app">` +
    `<rect width="${full}" height="${full}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`
  );
}
