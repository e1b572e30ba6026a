import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  generateRecoveryCodes,
  generateTotpSecret,
  qrCodeSvg,
  totpCode,
  totpUri,
  verifyTotp,
} from "../../src/lib/totp";

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890"; we use the last 6 of the 8 digits.
const RFC_SECRET = base32Encode(new TextEncoder().encode("12345678901234567890"));
const VECTORS: [number, string][] = [
  [59, "287082"],
  [1111111109, "081804"],
  [1111111111, "050471"],
  [1234567890, "005924"],
  [2000000000, "279037"],
];

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe("totp codes", () => {
  it.each(VECTORS)("matches RFC 6238 at %i s", async (seconds, expected) => {
    expect(await totpCode(RFC_SECRET, Math.floor(seconds / 30))).toBe(expected);
    expect(await verifyTotp(RFC_SECRET, expected, seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it("accepts one step of drift either way and nothing further", async () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step), now)).toBe(step);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step + 2), now)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step - 2), now)).toBeNull();
  });

  it("honours a custom window", async () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step - 1), now, 0)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, step + 2), now, 2)).toBe(step + 2);
  });

  it("does not reach below counter zero at the epoch", async () => {
    expect(await verifyTotp(RFC_SECRET, await totpCode(RFC_SECRET, 0), 0)).toBe(0);
    await expect(totpCode(RFC_SECRET, -1)).rejects.toThrow(RangeError);
  });

  it("ignores spaces but rejects anything that is not exactly six digits", async () => {
    const now = 1_700_000_000_000;
    const code = await totpCode(RFC_SECRET, Math.floor(now / 30_000));
    expect(await verifyTotp(RFC_SECRET, ` ${code.slice(0, 3)} ${code.slice(3)} `, now)).not.toBeNull();
    for (const bad of [
      "",
      "12345",
      "1234567",
      `${code}0`,
      `0${code}`,
      "abcdef",
      "12345a",
      "12-456",
      "１２３４５６",
      `${code.slice(0, 5)}\u0000`,
    ]) {
      expect(await verifyTotp(RFC_SECRET, bad, now)).toBeNull();
    }
  });
});

describe("base32", () => {
  it("encodes the RFC 4648 vectors without padding", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "MY"],
      ["fo", "MZXQ"],
      ["foo", "MZXW6"],
      ["foob", "MZXW6YQ"],
      ["fooba", "MZXW6YTB"],
      ["foobar", "MZXW6YTBOI"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(bytes(plain))).toBe(encoded);
      expect(text(base32Decode(encoded))).toBe(plain);
    }
  });

  it("decodes case-insensitively, ignoring spaces and padding, and rejects other characters", () => {
    expect(text(base32Decode("mzxw 6ytb oi======"))).toBe("foobar");
    expect(() => base32Decode("MZ1W")).toThrow(/not a base32/);
    expect(() => base32Decode("MZXW-6YTB")).toThrow(/not a base32/);
  });

  it("round-trips random bytes and generates 160-bit secrets", () => {
    const random = crypto.getRandomValues(new Uint8Array(37));
    expect(base32Decode(base32Encode(random))).toEqual(random);
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });
});

describe("enrolment", () => {
  it("builds the otpauth URI with every part percent-encoded", () => {
    expect(totpUri({ secret: "ABC", account: "jane+1@example.com", issuer: "Trailbook" })).toBe(
      "otpauth://totp/Trailbook:jane%2B1%40example.com?secret=ABC&issuer=Trailbook&algorithm=SHA1&digits=6&period=30",
    );
    expect(totpUri({ secret: "ABC", account: "a b", issuer: "Acme & Co" })).toBe(
      "otpauth://totp/Acme%20%26%20Co:a%20b?secret=ABC&issuer=Acme%20%26%20Co&algorithm=SHA1&digits=6&period=30",
    );
  });

  it("renders an accessible SVG QR code that depends on the text", () => {
    const uri = totpUri({ secret: generateTotpSecret(), account: "jane@example.com", issuer: "Trailbook" });
    const svg = qrCodeSvg(uri);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    expect(svg).toContain('shape-rendering="crispEdges"');
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/aria-label="[^"]+"/);
    expect(svg).toMatch(/<path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)+"\/>/);
    expect(svg.endsWith("</svg>")).toBe(true);
    expect(svg).not.toBe(qrCodeSvg(`${uri}x`));
  });

  it("keeps a four-module quiet zone", () => {
    const svg = qrCodeSvg("hello");
    const size = Number(/viewBox="0 0 (\d+)/.exec(svg)?.[1]);
    // Version 1 is 21 modules wide.
    expect(size).toBe(21 + 8);
    const moves = [...svg.matchAll(/M(\d+) (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(Math.min(...moves.map(([x]) => x ?? 0))).toBe(4);
    expect(Math.min(...moves.map(([, y]) => y ?? 0))).toBe(4);
  });

  it("makes distinct recovery codes from the unambiguous alphabet", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$/);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
    const many = generateRecoveryCodes(200).join("");
    expect(many).not.toMatch(/[01lo]/);
  });
});
