import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONTINUE_PRIORITY,
  createOsEgress,
  DENY_PRIORITY,
  EXEMPT_PRIORITY,
  listedExemptions,
  privateV6NameServers,
  RULE_PROTOCOL,
  rulesFor,
} from "./os-egress.ts";
import { PRIVATE_V6_RANGES } from "./net-policy.ts";

/** A stand-in for `ip`: records the commands, answers `rule show` with `listed`. */
function fakeIp(listed: unknown[] = [], fail?: (args: readonly string[]) => string | undefined) {
  const commands: string[] = [];
  const runIp = async (args: readonly string[]) => {
    const line = args.join(" ");
    commands.push(line);
    const failure = fail?.(args);
    if (failure) throw new Error(failure);
    return line === "-j -6 rule show" ? JSON.stringify(listed) : "";
  };
  return { commands, runIp };
}

const uid = 65534;
const noResolvConf = "/nonexistent/resolv.conf";

describe("createOsEgress", () => {
  it("denies every private IPv6 range to the sandbox user, once", async () => {
    const ip = fakeIp([], (args) =>
      args.includes("fe80::/10") ? "RTNETLINK answers: File exists" : undefined,
    );
    const egress = createOsEgress({ uid, runIp: ip.runIp, resolvConf: noResolvConf });
    expect(await egress.ready()).toBe(true);
    expect(await egress.ready()).toBe(true);
    expect(ip.commands).toContain(
      `-6 rule add priority ${CONTINUE_PRIORITY} nop protocol ${RULE_PROTOCOL}`,
    );
    const denies = ip.commands.filter((c) => c.includes("prohibit"));
    expect(denies).toHaveLength(PRIVATE_V6_RANGES.length);
    expect(denies[0]).toBe(
      `-6 rule add priority ${DENY_PRIORITY} uidrange 65534-65534 to fc00::/7 prohibit protocol ${RULE_PROTOCOL}`,
    );
  });

  it("lets a named address through on its port, once, and removes only its own rules on close", async () => {
    const listed = [
      {
        priority: EXEMPT_PRIORITY,
        dst: "fd00::9",
        uid_start: uid,
        uid_end: uid,
        goto: CONTINUE_PRIORITY,
        protocol: String(RULE_PROTOCOL),
      },
      {
        priority: EXEMPT_PRIORITY,
        dst: "fd00::8",
        uid_start: 1000,
        uid_end: 1000,
        goto: CONTINUE_PRIORITY,
        protocol: String(RULE_PROTOCOL),
      },
    ];
    const ip = fakeIp(listed);
    const egress = createOsEgress({ uid, runIp: ip.runIp, resolvConf: noResolvConf });
    await egress.ready();
    expect(egress.exempted()).toEqual(["fd00::9"]);
    const named = [{ ip: "FD00:0::5", ports: new Set([5432]) }, { ip: "10.1.2.3" }];
    expect(egress.covers(named)).toBe(false);
    await egress.allow(named);
    await egress.allow(named);
    expect(egress.covers(named)).toBe(true);
    expect(egress.exempted()).toEqual(["fd00::5", "fd00::9"]);
    const adds = ip.commands.filter((c) => c.includes(" goto "));
    expect(adds).toEqual([
      `-6 rule add priority ${EXEMPT_PRIORITY} uidrange 65534-65534 to fd00::5/128 ipproto tcp dport 5432 goto ${CONTINUE_PRIORITY} protocol ${RULE_PROTOCOL}`,
    ]);
    await egress.close();
    expect(ip.commands.at(-1)).toBe(adds[0]?.replace(" add ", " del "));
    expect(egress.exempted()).toEqual(["fd00::9"]);
  });

  it("lets the resolver's private IPv6 name servers through on port 53, and keeps them on close", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "os-egress-"));
    const resolvConf = path.join(dir, "resolv.conf");
    writeFileSync(resolvConf, "nameserver 10.0.0.53\nnameserver fd00::53\n");
    try {
      const ip = fakeIp();
      const egress = createOsEgress({ uid, runIp: ip.runIp, resolvConf });
      await egress.ready();
      const servers = ip.commands.filter((c) => c.includes("fd00::53"));
      expect(servers).toEqual([
        `-6 rule add priority ${EXEMPT_PRIORITY} uidrange 65534-65534 to fd00::53/128 ipproto udp dport 53 goto ${CONTINUE_PRIORITY} protocol ${RULE_PROTOCOL}`,
        `-6 rule add priority ${EXEMPT_PRIORITY} uidrange 65534-65534 to fd00::53/128 ipproto tcp dport 53 goto ${CONTINUE_PRIORITY} protocol ${RULE_PROTOCOL}`,
      ]);
      await egress.close();
      expect(ip.commands.filter((c) => c.includes(" del "))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when the system refuses the rules, reports it and asks for nothing more", async () => {
    const warnings: string[] = [];
    const ip = fakeIp([], (args) =>
      args.includes("prohibit") ? "RTNETLINK answers: Operation not permitted" : undefined,
    );
    const egress = createOsEgress({
      uid,
      runIp: ip.runIp,
      resolvConf: noResolvConf,
      logger: { warn: (message) => warnings.push(message) },
    });
    expect(await egress.ready()).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(egress.covers([{ ip: "fd00::5" }])).toBe(true);
  });
});

describe("rules", () => {
  it("only private IPv6 addresses need the system's rules", () => {
    expect(
      rulesFor([
        { ip: "fe80::1" },
        { ip: "fd00::5", ports: new Set([80, 443]) },
        { ip: "2606:4700::1" },
        { ip: "10.0.0.1" },
      ]),
    ).toEqual([
      { ip: "fe80::1" },
      { ip: "fd00::5", proto: "tcp", port: 80 },
      { ip: "fd00::5", proto: "tcp", port: 443 },
    ]);
  });

  it("reads the private IPv6 name servers of resolv.conf", () => {
    const conf =
      "# x\nnameserver 10.0.0.53\nnameserver fd00::53\nnameserver fe80::1%eth0\nnameserver 2001:4860::8888\n";
    expect(privateV6NameServers(conf)).toEqual(["fd00::53", "fe80::1"]);
  });

  it("ignores output it cannot read", () => {
    expect(listedExemptions("not json", uid)).toEqual([]);
  });
});
