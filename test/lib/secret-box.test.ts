import { describe, expect, it } from "vitest";
import { open, seal } from "../../src/lib/secret-box";

const KEY = "a-deployment-secret-of-enough-length-0001";

describe("secret box", () => {
  it("round-trips with a fresh ciphertext each time", async () => {
    const a = await seal(KEY, "JBSWY3DPEHPK3PXP", "totp");
    const b = await seal(KEY, "JBSWY3DPEHPK3PXP", "totp");
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a.split(".")[1]).not.toBe(b.split(".")[1]);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(await open(KEY, a, "totp")).toBe("JBSWY3DPEHPK3PXP");
    expect(await open(KEY, b, "totp")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("round-trips empty and non-ASCII text", async () => {
    expect(await open(KEY, await seal(KEY, "", "totp"), "totp")).toBe("");
    expect(await open(KEY, await seal(KEY, "clé ✓ 🔑", "totp"), "totp")).toBe("clé ✓ 🔑");
  });

  it("refuses tampering, another key and another purpose", async () => {
    const sealed = await seal(KEY, "secret", "totp");
    const [v, iv, data] = sealed.split(".");
    const flip = (s: string) => `${s.slice(0, -2)}${s.endsWith("AA") ? "BB" : "AA"}`;
    await expect(open(KEY, `${v}.${iv}.${flip(data ?? "")}`, "totp")).rejects.toThrow(/altered/);
    await expect(open(KEY, `${v}.${flip(iv ?? "")}.${data}`, "totp")).rejects.toThrow(/altered/);
    await expect(open(`${KEY}-other`, sealed, "totp")).rejects.toThrow(/altered/);
    await expect(open(KEY, sealed, "session")).rejects.toThrow(/altered/);
  });

  it("refuses garbage with a format error", async () => {
    const sealed = await seal(KEY, "secret", "totp");
    const [, iv, data] = sealed.split(".");
    for (const bad of [
      "",
      "not sealed",
      "v1..",
      "v1.@@.@@",
      `v2.${iv}.${data}`,
      `v1.${iv}`,
      `${sealed}.extra`,
      `v1.${iv}A.${data}`,
      `v1.AAAA.${data}`,
      `v1.${iv}.${data}=`,
    ]) {
      await expect(open(KEY, bad, "totp"), bad).rejects.toThrow(/not a sealed value/);
    }
  });

  it("refuses a key shorter than 32 characters", async () => {
    await expect(seal("short", "secret", "totp")).rejects.toThrow(/at least 32/);
    await expect(open("x".repeat(31), await seal(KEY, "secret", "totp"), "totp")).rejects.toThrow(/at least 32/);
    expect(await open("x".repeat(32), await seal("x".repeat(32), "secret", "totp"), "totp")).toBe("secret");
  });
});
