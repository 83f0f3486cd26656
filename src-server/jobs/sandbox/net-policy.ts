// Where a job with the default allow_net may not connect: the machine and its networks.
// Loopback, unspecified, private, CGNAT, link-local (cloud metadata), benchmark,
// multicast and reserved IPv4 ranges, IPv6 loopback and unspecified, and every address
// of this machine's interfaces — except the server's own API, and hosts the function
// names explicitly (by address, or by a name: then the addresses it resolves to, see
// named-hosts.ts).
//
// Deno's --deny-net takes IPv4 ranges (CIDR) and exact addresses, and checks the
// address a name resolved to as well as the name as written, so `localhost`,
// `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1` and `[::ffff:127.0.0.1]` all come
// down to 127.0.0.1 and are caught. But at connect time a range or an address without
// a port is denied even where a more specific allow names it, so an address that must
// stay reachable (the API's) is cut out of its range, and on it every port something
// listens on (other than the allowed one) is denied one by one (see machineNetwork).
// Deno (2.9) cannot deny IPv6 ranges at all: `fd00::/8` and `[fd00::]/8` are refused
// as flags. The IPv6 ranges below are held by the operating system instead where it
// can be (os-egress.ts: a server running as root, jobs as the sandbox user); an IPv6
// address the OS lets through for some function is denied exactly to every other job.
import { readFileSync } from "node:fs";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { networkInterfaces } from "node:os";

export const PRIVATE_V4_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/3",
];

const V6_ALWAYS = ["::1", "::"];

/**
 * IPv6 ranges that are not the internet: unique-local, link-local, site-local, the
 * local-use NAT64 prefix, discard-only and documentation. (Loopback and unspecified are
 * single addresses, denied by Deno; IPv4-mapped addresses are checked as IPv4.)
 */
export const PRIVATE_V6_RANGES = [
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "64:ff9b:1::/48",
  "100::/64",
  "2001:db8::/32",
];

const privateV6 = new BlockList();
for (const range of PRIVATE_V6_RANGES) {
  const [base, bits] = range.split("/") as [string, string];
  privateV6.addSubnet(base, Number(bits), "ipv6");
}

/** One spelling per address: IPv6 lower-case and compressed, without a zone. */
export function canonicalIp(ip: string): string {
  const bare = ip
    .replace(/^\[|\]$/g, "")
    .replace(/%.*$/, "")
    .toLowerCase();
  return isIPv6(bare) ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : bare;
}

/** Whether `ip` is an IPv6 address in one of PRIVATE_V6_RANGES. */
export function isPrivateV6(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  return isIPv6(bare) && privateV6.check(bare, "ipv6");
}

/** An address a job may reach: on the listed ports only, or on any port (undefined). */
export interface Exemption {
  ip: string;
  ports?: Set<number>;
}

export interface NetPolicyInput {
  /** The server's API (FLUXBASE_URL): always reachable on its port. */
  apiUrl: string;
  /** `host`, `host:port`, `[v6]:port` the function names (allow-net): addresses or names. */
  allowedHosts?: readonly string[];
  /** What the names among allowedHosts (and the API's host) resolved to; unlisted: nothing. */
  resolvedNames?: ReadonlyMap<string, readonly string[]>;
  /**
   * IPv6 addresses the operating system lets the sandbox user reach because some
   * function names them: denied to this job unless it names them too.
   */
  sharedExemptions?: readonly string[];
  /** TCP ports something on this machine listens on. */
  listeningPorts: readonly number[];
  /** This machine's interface addresses. */
  localAddresses: readonly string[];
}

function toInt(ip: string): number {
  return ip.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
}

function toIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The blocks of `cidr` that do not hold `ip` (all of it when it does not). */
export function cutOut(cidr: string, ip: string): string[] {
  const [base, bits] = cidr.split("/") as [string, string];
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const start = toInt(base);
  const target = toInt(ip);
  if (target < start || target >= start + size) return [cidr];
  const blocks: string[] = [];
  let blockStart = start;
  for (let length = prefix + 1; length <= 32; length++) {
    const half = 2 ** (32 - length);
    const inUpper = target >= blockStart + half;
    blocks.push(`${toIp(inUpper ? blockStart : blockStart + half)}/${length}`);
    if (inUpper) blockStart += half;
  }
  return blocks;
}

function hostAndPort(entry: string): { host: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return { host: v6[1] as string, port: v6[2] ? Number(v6[2]) : undefined };
  const [host, port] = entry.split(":");
  return { host: host as string, port: port ? Number(port) : undefined };
}

function addressesOf(host: string, resolved: NetPolicyInput["resolvedNames"]): string[] {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return ["127.0.0.1", "::1"];
  if (isIPv4(bare) || isIPv6(bare)) return [canonicalIp(bare)];
  const addresses = resolved?.get(bare.replace(/\.$/, "")) ?? [];
  return addresses.filter((ip) => isIPv4(ip) || isIPv6(canonicalIp(ip))).map(canonicalIp);
}

/** The addresses (and ports) a job may reach although they are private: the API's and those named. */
export function netExemptions(input: NetPolicyInput): Exemption[] {
  const byIp = new Map<string, Exemption>();
  const add = (host: string, port: number | undefined) => {
    for (const ip of addressesOf(host, input.resolvedNames)) {
      const current = byIp.get(ip) ?? { ip, ports: new Set<number>() };
      if (port === undefined) current.ports = undefined;
      else current.ports?.add(port);
      byIp.set(ip, current);
    }
  };
  const api = new URL(input.apiUrl);
  const apiPort = Number(api.port || (api.protocol === "https:" ? 443 : 80));
  add(api.hostname, apiPort);
  for (const entry of input.allowedHosts ?? []) {
    const { host, port } = hostAndPort(entry);
    add(host, port);
  }
  return [...byIp.values()];
}

const format = (ip: string) => (isIPv6(ip) ? `[${ip}]` : ip);

/** The --deny-net list for a job with allow_net on. */
export function deniedNetTargets(input: NetPolicyInput): string[] {
  const exemptions = netExemptions(input);
  const exemptIps = new Set(exemptions.map((e) => e.ip));
  const denied = new Set<string>();
  for (const range of PRIVATE_V4_RANGES) {
    let blocks = [range];
    for (const ip of exemptIps) {
      if (isIPv4(ip)) blocks = blocks.flatMap((block) => cutOut(block, ip));
    }
    for (const block of blocks) denied.add(block);
  }
  const exact = [...V6_ALWAYS, ...input.localAddresses, ...(input.sharedExemptions ?? [])].map(
    canonicalIp,
  );
  for (const ip of exact) {
    if (!exemptIps.has(ip) && (isIPv4(ip) || isIPv6(ip))) denied.add(format(ip));
  }
  for (const { ip, ports } of exemptions) {
    if (!ports) continue;
    for (const port of input.listeningPorts) {
      if (!ports.has(port)) denied.add(`${format(ip)}:${port}`);
    }
  }
  return [...denied];
}

/** TCP ports in LISTEN state on this machine (Linux /proc; empty elsewhere). */
export function listeningTcpPorts(): number[] {
  const ports = new Set<number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== "0A") continue;
      const port = Number.parseInt(fields[1]?.split(":")[1] ?? "", 16);
      if (Number.isInteger(port) && port > 0) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

export interface MachineNetwork {
  listeningPorts: number[];
  localAddresses: string[];
}

/**
 * This machine's listening ports, read once, when the first job starts (the database and
 * the API are up by then), and kept: the deny list is part of the command line, which
 * must stay the same for processes to be pre-started and reused. A service that starts
 * listening later is reachable on the API's own address (only there: other loopback and
 * private addresses stay denied). Its addresses are read on every call (an address the
 * machine gains later, a VPN's or a container bridge's, is denied from then on; the net
 * planner calls this at most once a second).
 */
export function machineNetwork(): () => MachineNetwork {
  let listeningPorts: number[] | undefined;
  return () => ({
    listeningPorts: (listeningPorts ??= listeningTcpPorts()),
    localAddresses: localInterfaceAddresses(),
  });
}

export function localInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((entry) => entry.address)
    .sort();
}
