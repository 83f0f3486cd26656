// The IPv6 ranges Deno cannot deny (see net-policy.ts), held by the operating system:
// when jobs run as their own user (a server running as root), Linux policy-routing
// rules for that user's sockets make every connection to a private IPv6 range fail
// ("Permission denied") — `ip -6 rule add uidrange U-U to fc00::/7 prohibit`, and so on
// for each range. Addresses on this machine are not routed by these rules (the kernel's
// local table comes first); Deno denies those one by one.
//
// A function that names a private IPv6 destination gets it let through before its job
// starts (a rule of higher precedence: that address, on the named TCP port or on every
// port, skips the deny rules and goes on to the system's own rules, so a destination
// routed by a VPN's table still is); since the rules hold for every job of that user,
// every other job is denied that address by Deno (NetPolicyInput.sharedExemptions). The
// system resolver's private IPv6 name servers are let through on port 53. The rules sit
// early (priorities EXEMPT_PRIORITY, DENY_PRIORITY, CONTINUE_PRIORITY), before a VPN's
// rules could route a private range elsewhere, and carry the protocol tag RULE_PROTOCOL.
// The deny rules are left in place when the server stops (another server or worker may
// run jobs as the same user); the rules it added for functions are removed.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import {
  canonicalIp as canonical,
  isPrivateV6,
  PRIVATE_V6_RANGES,
  type Exemption,
} from "./net-policy.ts";

export const RULE_PROTOCOL = 241;
export const EXEMPT_PRIORITY = 100;
export const DENY_PRIORITY = 101;
/** A rule that does nothing, where a let-through address resumes the system's own rules. */
export const CONTINUE_PRIORITY = 102;

export type RunIp = (args: readonly string[]) => Promise<string>;

export interface OsEgressLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface OsEgressOptions {
  /** The user jobs run as (never the server's own). */
  uid: number;
  /** Runs `ip` with these arguments and returns its output (default: the `ip` command). */
  runIp?: RunIp;
  /** The resolver configuration whose IPv6 name servers stay reachable on port 53. */
  resolvConf?: string;
  logger?: OsEgressLogger;
}

export interface OsEgress {
  /** Installs the deny rules, once; false when the system refused (not root, no `ip`). */
  ready(): Promise<boolean>;
  /** Whether every private IPv6 address of `exemptions` is already let through. */
  covers(exemptions: readonly Exemption[]): boolean;
  /** Lets the private IPv6 addresses of `exemptions` through (on their ports, if any). */
  allow(exemptions: readonly Exemption[]): Promise<void>;
  /** IPv6 addresses let through for some function, by this server or another. */
  exempted(): string[];
  /** Removes the rules this instance added to let addresses through. */
  close(): Promise<void>;
}

/** One rule that lets the sandbox user reach `ip` (TCP `port`, or everything). */
export interface ExemptRule {
  ip: string;
  proto?: "tcp" | "udp";
  port?: number;
}

const ruleKey = (rule: ExemptRule) =>
  `${canonical(rule.ip)}|${rule.proto ?? "*"}|${rule.port ?? "*"}`;

export function denyRuleArgs(uid: number, range: string): string[] {
  return [
    "-6",
    "rule",
    "add",
    "priority",
    String(DENY_PRIORITY),
    "uidrange",
    `${uid}-${uid}`,
    "to",
    range,
    "prohibit",
    "protocol",
    String(RULE_PROTOCOL),
  ];
}

export function exemptRuleArgs(uid: number, rule: ExemptRule, verb: "add" | "del" = "add") {
  const args = ["-6", "rule", verb, "priority", String(EXEMPT_PRIORITY)];
  args.push("uidrange", `${uid}-${uid}`, "to", `${canonical(rule.ip)}/128`);
  if (rule.port !== undefined) {
    args.push("ipproto", rule.proto ?? "tcp", "dport", String(rule.port));
  }
  args.push("goto", String(CONTINUE_PRIORITY), "protocol", String(RULE_PROTOCOL));
  return args;
}

export function continueRuleArgs(): string[] {
  return ["-6", "rule", "add", "priority", String(CONTINUE_PRIORITY), "nop"].concat(
    "protocol",
    String(RULE_PROTOCOL),
  );
}

/** The private IPv6 name servers of a resolv.conf text. */
export function privateV6NameServers(resolvConf: string): string[] {
  const servers: string[] = [];
  for (const line of resolvConf.split("\n")) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    const ip = match?.[1]?.replace(/%.*$/, "");
    if (ip && isIPv6(ip) && isPrivateV6(ip)) servers.push(canonical(ip));
  }
  return servers;
}

interface ListedRule {
  priority?: number;
  dst?: string;
  dstlen?: number;
  uid_start?: number;
  uid_end?: number;
  ipproto?: string;
  dport?: number;
  protocol?: string | number;
}

/** The exemption rules for `uid` in `ip -j -6 rule show` output (ours, by tag and priority). */
export function listedExemptions(json: string, uid: number): ExemptRule[] {
  let rules: ListedRule[];
  try {
    rules = JSON.parse(json) as ListedRule[];
  } catch {
    return [];
  }
  if (!Array.isArray(rules)) return [];
  return rules
    .filter(
      (rule) =>
        rule.priority === EXEMPT_PRIORITY &&
        String(rule.protocol) === String(RULE_PROTOCOL) &&
        rule.uid_start === uid &&
        typeof rule.dst === "string" &&
        isIPv6(rule.dst),
    )
    .map((rule) => ({
      ip: canonical(rule.dst as string),
      proto: rule.ipproto === "udp" ? "udp" : rule.ipproto === "tcp" ? "tcp" : undefined,
      port: typeof rule.dport === "number" ? rule.dport : undefined,
    }));
}

/** The rules that let the private IPv6 addresses of `exemptions` through. */
export function rulesFor(exemptions: readonly Exemption[]): ExemptRule[] {
  const rules: ExemptRule[] = [];
  for (const { ip, ports } of exemptions) {
    if (!isPrivateV6(ip)) continue;
    if (!ports) rules.push({ ip: canonical(ip) });
    else for (const port of ports) rules.push({ ip: canonical(ip), proto: "tcp", port });
  }
  return rules;
}

const defaultRunIp: RunIp = (args) =>
  new Promise((resolve, reject) => {
    execFile("ip", [...args], { timeout: 5000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(String(stderr).trim() || error.message));
      else resolve(String(stdout));
    });
  });

const exists = (error: unknown) => /exists/i.test(String((error as Error)?.message ?? error));

export function createOsEgress(options: OsEgressOptions): OsEgress {
  const runIp = options.runIp ?? defaultRunIp;
  const { uid } = options;
  const present = new Map<string, ExemptRule>();
  const added = new Set<string>();
  let readyPromise: Promise<boolean> | undefined;
  let working = false;

  /** `keep`: left in place on close (the name servers, needed by every server's jobs). */
  const addExemption = async (rule: ExemptRule, keep = false) => {
    const key = ruleKey(rule);
    if (present.has(key)) return;
    try {
      await runIp(exemptRuleArgs(uid, rule));
      if (!keep) added.add(key);
    } catch (error) {
      if (!exists(error)) {
        options.logger?.warn("could not let a named IPv6 address through", {
          ip: rule.ip,
          port: rule.port,
          error: String((error as Error).message ?? error),
        });
        return;
      }
    }
    present.set(key, rule);
  };

  const install = async (): Promise<boolean> => {
    try {
      const listed = listedExemptions(await runIp(["-j", "-6", "rule", "show"]), uid);
      for (const rule of listed) present.set(ruleKey(rule), rule);
      for (const args of [
        continueRuleArgs(),
        ...PRIVATE_V6_RANGES.map((r) => denyRuleArgs(uid, r)),
      ]) {
        try {
          await runIp(args);
        } catch (error) {
          if (!exists(error)) throw error;
        }
      }
    } catch (error) {
      options.logger?.warn(
        "private IPv6 ranges stay reachable to jobs: the operating system refused the rules",
        { error: String((error as Error).message ?? error) },
      );
      return false;
    }
    let conf = "";
    try {
      conf = readFileSync(options.resolvConf ?? "/etc/resolv.conf", "utf8");
    } catch {
      // No resolver configuration: nothing to let through.
    }
    for (const ip of privateV6NameServers(conf)) {
      await addExemption({ ip, proto: "udp", port: 53 }, true);
      await addExemption({ ip, proto: "tcp", port: 53 }, true);
    }
    working = true;
    return true;
  };

  return {
    ready: () => (readyPromise ??= install()),
    covers: (exemptions) => !working || rulesFor(exemptions).every((r) => present.has(ruleKey(r))),
    async allow(exemptions) {
      if (!(await this.ready())) return;
      for (const rule of rulesFor(exemptions)) await addExemption(rule);
    },
    exempted: () => [...new Set([...present.values()].map((rule) => rule.ip))].sort(),
    async close() {
      if (readyPromise) await readyPromise;
      for (const key of added) {
        const rule = present.get(key);
        if (!rule) continue;
        try {
          await runIp(exemptRuleArgs(uid, rule, "del"));
        } catch {
          // Already gone.
        }
        present.delete(key);
      }
      added.clear();
    },
  };
}
