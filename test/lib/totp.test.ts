import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, generateRecoveryCodes, generateTotpSecret, qrCodeSvg, totpCode, totpUri, verifyTotp } from "../../src/lib/totp";

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; we use the last 6 of the 8 digits.
const RFC_SECRET = base32Encode(new TextEncoder().encode("12345678901234567890"));
const VECTORS: [number, string][] = [
  [59, "287082"],
  [1111111109, "081804"],
  [1111111111, "050471"],
  [1234567890, "005924"],
  [2000000000, "279037"],
];

describe("totp", () => {
  it.each(VECTORS)("matches RFC 6238 at %i s", async (seconds, expected) => {
    expect(await totpCode(RFC_SECRET, Math.floor(seconds / 30))).toBe(expected);
    expect(await verifyTotp(RFC_SECRET, expected, seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it("accepts one step of drift either way and nothing further", async () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step + 2), now)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, "12345", now)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, "abcdef", now)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, " " + (await totpCode(RFC_SECRET, step)).replace(/(\d{3})/, "$1 "), now)).toBe(step);
  });

  it("encodes base32 as RFC 4648 and round-trips", () => {
    expect(base32Encode(new TextEncoder().encode("foobar"))).toBe("MZXW6YTBOI");
    expect(new TextDecoder().decode(base32Decode("mzxw 6ytb oi=="))).toBe("foobar");
    expect(() => base32Decode("MZ1W")).toThrow(/not a base32/);
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
  });

  it("builds the otpauth URI and a QR code", () => {
    const uri = totpUri({ secret: "ABC", account: "jane+1@example.com", issuer: "Trailbook" });
    expect(uri).toBe("otpauth://totp/Trailbook:jane%2B1%40example.com?secret=ABC&issuer=Trailbook&algorithm=SHA1&digits=6&period=30");
    const svg = qrCodeSvg(uri);
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).not.toBe(qrCodeSvg(`${uri}x`));
  });

  it("makes ten distinct recovery codes", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  });
});
