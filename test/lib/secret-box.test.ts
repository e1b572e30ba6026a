import { describe, expect, it } from "vitest";
import { open, seal } from "../../src/lib/secret-box";

const KEY = "a-deployment-secret-of-enough-length-0001";

describe("secret box", () => {
  it("round-trips with a fresh ciphertext each time", async () => {
    const a = await seal(KEY, "JBSWY3DPEHPK3PXP", "totp");
    const b = await seal(KEY, "JBSWY3DPEHPK3PXP", "totp");
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(await open(KEY, a, "totp")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("refuses tampering, another key, another purpose and garbage", async () => {
    const sealed = await seal(KEY, "secret", "totp");
    const [v, iv, data] = sealed.split(".");
    const flipped = `${v}.${iv}.${(data ?? "").slice(0, -2)}${(data ?? "").endsWith("AA") ? "BB" : "AA"}`;
    await expect(open(KEY, flipped, "totp")).rejects.toThrow(/altered/);
    await expect(open(`${KEY}-other`, sealed, "totp")).rejects.toThrow(/altered/);
    await expect(open(KEY, sealed, "session")).rejects.toThrow(/altered/);
    await expect(open(KEY, "not sealed", "totp")).rejects.toThrow(/not a sealed value/);
    await expect(open(KEY, "v1.@@.@@", "totp")).rejects.toThrow();
  });
});
