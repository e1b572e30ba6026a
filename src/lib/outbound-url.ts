// Outbound URL policy (SSRF): where Trailbook may send requests on a user's behalf (webhook
// deliveries; any later outbound feature uses the same rules). Outside production everything
// http(s) is allowed so local receivers work. In production:
// - when the URL is saved: https, no user info, and a host that is neither an internal name nor a
//   literal address in a private, loopback, link-local, shared, multicast or reserved range (in any
//   spelling: decimal, octal or hex IPv4; IPv4 embedded in IPv6);
// - when a request is about to go out: the same again, and every A and AAAA answer for the name
//   must pass the same address rules (a public name may point at a private address).

/** The addresses (A and AAAA answers) a host name resolves to; [] when it has none. */
export type Resolver = (name: string) => Promise<string[]>;

const INTERNAL_SUFFIXES = [
  "localhost",
  "localdomain",
  "local",
  "internal",
  "intranet",
  "lan",
  "home",
  "corp",
  "private",
  "arpa",
];

const REFUSED_ADDRESS = "must not point at a private, loopback or link-local address";

/**
 * An IPv4 address in any form a URL parser or `inet_aton` accepts (`127.0.0.1`, `2130706433`,
 * `0x7f.1`, `0177.0.0.1`), as four bytes; undefined when `host` is not one.
 */
export function parseIpv4(host: string): number[] | undefined {
  const parts = host.split(".");
  if (parts.length > 4 || parts.some((p) => p === "")) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) n = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) n = Number(part);
    else return undefined;
    if (!Number.isSafeInteger(n)) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  const bytes = [...numbers];
  for (let i = 4 - numbers.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** An IPv6 address (brackets allowed, zone id refused) as eight 16-bit groups. */
export function parseIpv6(host: string): number[] | undefined {
  let text = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (!text.includes(":") || text.includes("%")) return undefined;
  // A trailing dotted IPv4 (::ffff:127.0.0.1) is two groups.
  const dotted = /(^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[2]) {
    const v4 = dotted[2].split(".").map(Number);
    if (v4.some((b) => b > 255) || dotted[2].split(".").some((p) => p.length > 1 && p.startsWith("0")))
      return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    text = `${text.slice(0, text.length - dotted[2].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => Number.parseInt(g, 16));
}

function inV4([a = 0, b = 0, c = 0]: number[], prefix: [number, number, number], bits: number): boolean {
  const value = ((a << 16) | (b << 8) | c) >>> 0;
  const base = ((prefix[0] << 16) | (prefix[1] << 8) | prefix[2]) >>> 0;
  const mask = bits >= 24 ? 0xffffff : (0xffffff << (24 - bits)) & 0xffffff;
  return (value & mask) === (base & mask);
}

const IPV4_RANGES: [[number, number, number], number, string][] = [
  [[0, 0, 0], 8, 'a "this network" address (0.0.0.0/8)'],
  [[10, 0, 0], 8, "private (10.0.0.0/8)"],
  [[100, 64, 0], 10, "shared address space (100.64.0.0/10)"],
  [[127, 0, 0], 8, "loopback (127.0.0.0/8)"],
  [[169, 254, 0], 16, "link-local (169.254.0.0/16)"],
  [[172, 16, 0], 12, "private (172.16.0.0/12)"],
  [[192, 0, 0], 24, "reserved for protocols (192.0.0.0/24)"],
  [[192, 0, 2], 24, "documentation (192.0.2.0/24)"],
  [[192, 88, 99], 24, "a 6to4 relay (192.88.99.0/24)"],
  [[192, 168, 0], 16, "private (192.168.0.0/16)"],
  [[198, 18, 0], 15, "benchmarking (198.18.0.0/15)"],
  [[198, 51, 100], 24, "documentation (198.51.100.0/24)"],
  [[203, 0, 113], 24, "documentation (203.0.113.0/24)"],
  [[224, 0, 0], 4, "multicast (224.0.0.0/4)"],
  [[240, 0, 0], 4, "reserved (240.0.0.0/4, broadcast included)"],
];

/** Why an IPv4 address is refused, or undefined for a public one. */
export function ipv4Problem(bytes: number[]): string | undefined {
  return IPV4_RANGES.find(([prefix, bits]) => inV4(bytes, prefix, bits))?.[2];
}

/** Why an IPv6 address is refused, or undefined for a public one. */
export function ipv6Problem(g: number[]): string | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, , g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return "unspecified (::)";
  if (zeroTo(7) && g7 === 1) return "loopback (::1)";
  if (zeroTo(5) && g5 === 0xffff) return `IPv4-mapped (${embedded(g6, g7).join(".")})`;
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return `IPv4-translated (${embedded(g6, g7).join(".")})`;
  if (zeroTo(6)) return `IPv4-compatible (${embedded(g6, g7).join(".")})`;
  if (g0 === 0x64 && g1 === 0xff9b) return `NAT64 (64:ff9b::/96 or 64:ff9b:1::/48, ${embedded(g6, g7).join(".")})`;
  if ((g0 & 0xfe00) === 0xfc00) return "unique local (fc00::/7)";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local (fe80::/10)";
  if ((g0 & 0xffc0) === 0xfec0) return "site-local (fec0::/10)";
  if ((g0 & 0xff00) === 0xff00) return "multicast (ff00::/8)";
  if (g0 === 0x2002) {
    const v4 = embedded(g1, g2);
    const problem = ipv4Problem(v4);
    if (problem) return `6to4 of ${v4.join(".")}, ${problem}`;
    return undefined;
  }
  if (g0 === 0x2001 && g1 === 0) return "Teredo (2001::/32)";
  if (g0 === 0x2001 && g1 < 0x200) return "reserved for protocols (2001::/23)";
  if (g0 === 0x2001 && g1 === 0xdb8) return "documentation (2001:db8::/32)";
  if (g0 === 0x3fff && g1 < 0x1000) return "documentation (3fff::/20)";
  // Only 2000::/3 is globally routed unicast; everything else (100::/64 discard, 64:ff9b:1::/48
  // local NAT64, unassigned space) has no business receiving requests.
  if ((g0 & 0xe000) !== 0x2000) return "not global unicast (outside 2000::/3)";
  return undefined;
}

/** Why a literal address (IPv4 in any spelling, or IPv6) is refused; undefined if public or not an address. */
export function addressProblem(host: string): string | undefined {
  const v4 = parseIpv4(host);
  if (v4) return ipv4Problem(v4);
  const v6 = parseIpv6(host);
  if (v6) return ipv6Problem(v6);
  if (host.includes(":")) return "not a valid IPv6 address";
  return undefined;
}

/** Why a host name is refused before any lookup (internal names), or undefined. */
function nameProblem(host: string): string | undefined {
  if (host.endsWith(".")) return "must not end with a dot";
  if (!host.includes(".")) return "must be a public host name";
  const lower = host.toLowerCase();
  const suffix = INTERNAL_SUFFIXES.find((s) => lower === s || lower.endsWith(`.${s}`));
  if (suffix) return `must be a public host name (.${suffix} names are internal)`;
  // A last label of digits or 0x… is read as an IPv4 address by URL parsers; one that is not valid is no name.
  if (/^(0x[0-9a-f]*|\d+)$/i.test(lower.slice(lower.lastIndexOf(".") + 1))) return "is not a valid address";
  return undefined;
}

/** The URL and its host (brackets removed, lower case), or why it is not a URL we send to. */
function parse(raw: string, allowPrivate: boolean): { url: URL; host: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: "is not a URL" };
  }
  if (url.username || url.password) return { problem: "must not contain a user name or password" };
  if (allowPrivate) {
    if (url.protocol !== "https:" && url.protocol !== "http:") return { problem: "must be an http(s) URL" };
  } else if (url.protocol !== "https:") return { problem: "must use https" };
  return { url, host: url.hostname.replace(/^\[|\]$/g, "").toLowerCase() };
}

/**
 * Why the URL may not receive requests, judged from the URL alone (when it is saved, and again
 * before each request), or undefined when it may.
 */
export function outboundUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  const parsed = parse(raw, allowPrivate);
  if ("problem" in parsed) return parsed.problem;
  if (allowPrivate) return undefined;
  const { host } = parsed;
  const literal = addressProblem(host);
  if (literal) return `${REFUSED_ADDRESS}: ${host} is ${literal}`;
  if (parseIpv4(host) || parseIpv6(host)) return undefined;
  return nameProblem(host);
}

export type DestinationCheck =
  | { ok: true }
  /** Refused for good: the URL or one of its addresses is not public. Retrying cannot help. */
  | { ok: false; permanent: true; reason: string }
  /** The name could not be resolved now (no answers, resolver unreachable); a later try may work. */
  | { ok: false; permanent: false; reason: string };

/**
 * The check right before a request goes out: the URL rules again (a URL saved under older rules is
 * refused too), then every address its name resolves to.
 */
export async function checkDestination(
  raw: string,
  allowPrivate: boolean,
  resolve: Resolver,
): Promise<DestinationCheck> {
  const problem = outboundUrlProblem(raw, allowPrivate);
  if (problem) return { ok: false, permanent: true, reason: `the URL ${problem}` };
  if (allowPrivate) return { ok: true };
  const parsed = parse(raw, allowPrivate);
  if ("problem" in parsed) return { ok: false, permanent: true, reason: `the URL ${parsed.problem}` };
  const { host } = parsed;
  if (parseIpv4(host) || parseIpv6(host)) return { ok: true };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    return {
      ok: false,
      permanent: false,
      reason: `could not resolve ${host}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (addresses.length === 0) return { ok: false, permanent: false, reason: `${host} does not resolve to any address` };
  for (const address of addresses) {
    const refused =
      addressProblem(address) ?? (parseIpv4(address) || parseIpv6(address) ? undefined : "not an address");
    if (refused)
      return {
        ok: false,
        permanent: true,
        reason: `${host} resolves to ${address}, which is ${refused}; requests to private addresses are refused`,
      };
  }
  return { ok: true };
}

export const DOH_ENDPOINT = "https://cloudflare-dns.com/dns-query";
const DOH_TIMEOUT_MS = 5_000;
const DNS_TYPES = { A: 1, AAAA: 28 } as const;

type DohAnswer = { Status?: number; Answer?: { type?: number; data?: string }[] };

/** The resolver could not answer (an ordinary failed attempt, retried on the webhook schedule). */
export class DnsLookupError extends Error {
  override readonly name = "DnsLookupError";
}

/**
 * A resolver over DNS over HTTPS (JSON API: `accept: application/dns-json`), asking for A and AAAA.
 * NXDOMAIN and empty answers give no addresses; any other failure throws.
 */
export function dnsOverHttpsResolver(
  fetcher: (request: Request) => Promise<Response>,
  endpoint = DOH_ENDPOINT,
): Resolver {
  const ask = async (name: string, type: keyof typeof DNS_TYPES): Promise<string[]> => {
    const url = new URL(endpoint);
    url.searchParams.set("name", name);
    url.searchParams.set("type", type);
    const response = await fetcher(
      new Request(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(DOH_TIMEOUT_MS) }),
    );
    if (!response.ok) throw new DnsLookupError(`the DNS resolver answered HTTP ${response.status}`);
    const body = (await response.json()) as DohAnswer;
    if (body.Status === 3) return []; // NXDOMAIN
    if (body.Status !== 0) throw new DnsLookupError(`the DNS lookup failed (status ${String(body.Status)})`);
    return (body.Answer ?? [])
      .filter((a) => a.type === DNS_TYPES[type] && typeof a.data === "string")
      .map((a) => String(a.data));
  };
  return async (name) => {
    const [a, aaaa] = await Promise.all([ask(name, "A"), ask(name, "AAAA")]);
    return [...a, ...aaaa];
  };
}
