import { describe, expect, it } from "vitest";
import {
  addressProblem,
  checkDestination,
  dnsOverHttpsResolver,
  outboundUrlProblem,
  parseIpv4,
  parseIpv6,
} from "../../src/lib/outbound-url";

describe("outbound URL policy when a URL is saved (production)", () => {
  it.each([
    // names
    "https://localhost/x",
    "https://localhost./x",
    "https://hooks.example.com./x",
    "https://api.localhost/x",
    "https://box.localdomain/x",
    "https://db.internal/x",
    "https://printer.local/x",
    "https://nas.home.arpa/x",
    "https://intranet/x",
    // IPv4 in every spelling
    "https://127.0.0.1/x",
    "http://2130706433/",
    "https://2130706433/",
    "https://0x7f.1/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://127.1/",
    "https://0.0.0.0/",
    "https://0.1.2.3/",
    "https://10.1.2.3/x",
    "https://100.64.0.1/x",
    "https://100.127.255.254/x",
    "https://169.254.169.254/latest/meta-data",
    "https://172.16.0.1/x",
    "https://172.31.255.255/x",
    "https://192.0.0.8/x",
    "https://192.168.1.1/x",
    "https://198.18.0.1/x",
    "https://198.19.255.1/x",
    "https://224.0.0.1/x",
    "https://239.255.255.250/x",
    "https://255.255.255.255/x",
    // IPv6
    "https://[::]/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::ffff:7f00:1]/x",
    "https://[::ffff:8.8.8.8]/x",
    "https://[::127.0.0.1]/x",
    "https://[::0:7f00:1]/x",
    "https://[64:ff9b::10.0.0.1]/x",
    "https://[64:ff9b::808:808]/x",
    "https://[64:ff9b:1::a00:1]/x",
    "https://[2002:7f00:1::]/x",
    "https://[2002:c0a8:101::1]/x",
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x",
    "https://[fec0::1]/x",
    "https://[fc00::1]/x",
    "https://[fd12:3456::1]/x",
    "https://[fe80::1]/x",
    "https://[ff02::1]/x",
    "https://[2001:db8::1]/x",
    // spellings the URL parser folds
    "https://LOCALHOST/x",
    "https://\uFF4C\uFF4F\uFF43\uFF41\uFF4C\uFF48\uFF4F\uFF53\uFF54/x",
    "https://localhost%2e/x",
    "https://127.0.0.1%2e/x",
    "https://0x7f.0x0.0x0.0x1/x",
    "https://127.000.000.001/x",
    "https://[0:0:0:0:0:ffff:127.0.0.1]/x",
    "https://[::FFFF:A9FE:A9FE]/x",
    // scheme and user info
    "http://hooks.example.com/x",
    "ftp://hooks.example.com/x",
    "https://user:pass@hooks.example.com/x",
    "not a url",
  ])("refuses %s", (url) => {
    expect(outboundUrlProblem(url, false)).toBeDefined();
  });

  it.each([
    "https://hooks.example.com/trailbook",
    "https://93.184.216.34/x",
    "https://8.8.8.8/x",
    "https://100.63.255.255/x",
    "https://100.128.0.1/x",
    "https://172.32.0.1/x",
    "https://198.20.0.1/x",
    "https://[2606:4700:4700::1111]/x",
    "https://[2002:808:808::1]/x",
    "https://authority.example.org/pin",
  ])("accepts %s", (url) => {
    expect(outboundUrlProblem(url, false)).toBeUndefined();
  });

  it("allows local receivers outside production", () => {
    expect(outboundUrlProblem("http://localhost:3000/hooks", true)).toBeUndefined();
    expect(outboundUrlProblem("http://127.0.0.1:8788/h", true)).toBeUndefined();
    expect(outboundUrlProblem("ftp://localhost/h", true)).toBeDefined();
  });

  it("names the range it refused", () => {
    expect(outboundUrlProblem("https://0x7f.1/", false)).toBe(
      "must not point at a private, loopback or link-local address: 127.0.0.1 is loopback (127.0.0.0/8)",
    );
    expect(addressProblem("2002:a00:1::")).toBe("6to4 of 10.0.0.1, private (10.0.0.0/8)");
  });

  it("reads addresses in every spelling", () => {
    expect(parseIpv4("2130706433")).toEqual([127, 0, 0, 1]);
    expect(parseIpv4("0x7f.1")).toEqual([127, 0, 0, 1]);
    expect(parseIpv4("0177.0.0.01")).toEqual([127, 0, 0, 1]);
    expect(parseIpv4("10.1")).toEqual([10, 0, 0, 1]);
    expect(parseIpv4("256.1.1.1")).toBeUndefined();
    expect(parseIpv4("example.com")).toBeUndefined();
    expect(parseIpv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6("[2001:db8::1]")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("1::2::3")).toBeUndefined();
  });
});

describe("outbound URL policy when a request goes out", () => {
  const resolver = (answers: Record<string, string[]>) => {
    const asked: string[] = [];
    const resolve = async (name: string) => {
      asked.push(name);
      const found = answers[name];
      if (!found) throw new Error("resolver down");
      return found;
    };
    return { resolve, asked };
  };

  it("refuses a public name whose answers include a private address, for good", async () => {
    const { resolve } = resolver({
      "a.example.com": ["10.0.0.5"],
      "b.example.com": ["93.184.216.34", "::1"],
      "c.example.com": ["2606:4700::1", "64:ff9b::a9fe:a9fe"],
    });
    for (const host of ["a.example.com", "b.example.com", "c.example.com"]) {
      const check = await checkDestination(`https://${host}/h`, false, resolve);
      expect(check).toMatchObject({ ok: false, permanent: true });
      expect(check.ok ? "" : check.reason).toMatch(/resolves to .*private addresses are refused/);
    }
  });

  it("lets public answers through, and treats no answer or a resolver failure as worth retrying", async () => {
    const { resolve, asked } = resolver({
      "ok.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
      "gone.example.com": [],
    });
    expect(await checkDestination("https://ok.example.com/h", false, resolve)).toEqual({ ok: true });
    expect(await checkDestination("https://gone.example.com/h", false, resolve)).toMatchObject({
      ok: false,
      permanent: false,
    });
    expect(await checkDestination("https://down.example.com/h", false, resolve)).toMatchObject({
      ok: false,
      permanent: false,
    });
    // Literal addresses need no lookup; a URL refused by the save-time rules is refused again.
    expect(await checkDestination("https://93.184.216.34/h", false, resolve)).toEqual({ ok: true });
    expect(await checkDestination("https://[::ffff:10.0.0.1]/h", false, resolve)).toMatchObject({
      permanent: true,
    });
    expect(asked).toEqual(["ok.example.com", "gone.example.com", "down.example.com"]);
  });

  it("asks nothing outside production", async () => {
    const { resolve, asked } = resolver({});
    expect(await checkDestination("http://localhost:3000/h", true, resolve)).toEqual({ ok: true });
    expect(asked).toEqual([]);
  });

  it("resolves A and AAAA over DNS over HTTPS (JSON), skipping CNAMEs", async () => {
    const requests: Request[] = [];
    const fetcher = async (request: Request) => {
      requests.push(request);
      const url = new URL(request.url);
      const type = url.searchParams.get("type");
      if (url.searchParams.get("name") === "missing.example.com") return Response.json({ Status: 3 });
      return Response.json({
        Status: 0,
        Answer:
          type === "A"
            ? [
                { name: "hooks.example.com", type: 5, data: "edge.example.net." },
                { name: "edge.example.net", type: 1, data: "93.184.216.34" },
              ]
            : [{ name: "edge.example.net", type: 28, data: "2606:2800:220:1::1" }],
      });
    };
    const resolve = dnsOverHttpsResolver(fetcher);
    expect(await resolve("hooks.example.com")).toEqual(["93.184.216.34", "2606:2800:220:1::1"]);
    expect(requests.map((r) => r.url).sort()).toEqual([
      "https://cloudflare-dns.com/dns-query?name=hooks.example.com&type=A",
      "https://cloudflare-dns.com/dns-query?name=hooks.example.com&type=AAAA",
    ]);
    expect(requests.every((r) => r.headers.get("accept") === "application/dns-json")).toBe(true);
    expect(await resolve("missing.example.com")).toEqual([]);
    await expect(dnsOverHttpsResolver(async () => new Response("", { status: 502 }))("x.example.com")).rejects.toThrow(
      /HTTP 502/,
    );
  });
});
