import { describe, expect, it } from "vitest";
import { canonicalIp, cutOut, deniedNetTargets, isPrivateV6, netExemptions } from "./net-policy.ts";

describe("cutOut", () => {
  it("leaves a range that does not hold the address as it is", () => {
    expect(cutOut("10.0.0.0/8", "127.0.0.1")).toEqual(["10.0.0.0/8"]);
  });

  it("covers the whole range but the one address", () => {
    const blocks = cutOut("127.0.0.0/8", "127.0.0.1");
    expect(blocks).toHaveLength(24);
    expect(blocks).toContain("127.0.0.0/32");
    expect(blocks).toContain("127.128.0.0/9");
    const size = blocks.reduce((sum, block) => sum + 2 ** (32 - Number(block.split("/")[1])), 0);
    expect(size).toBe(2 ** 24 - 1);
  });
});

describe("deniedNetTargets", () => {
  const machine = {
    listeningPorts: [5432, 8080, 9000],
    localAddresses: ["127.0.0.1", "::1", "203.0.113.7", "fe80::1%eth0"],
  };

  it("denies the machine's ranges and addresses, and every other port on the API's address", () => {
    const denied = deniedNetTargets({ apiUrl: "http://127.0.0.1:8080", ...machine });
    expect(denied).toEqual(
      expect.arrayContaining(["10.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8", "[::1]", "[::]"]),
    );
    expect(denied).toEqual(expect.arrayContaining(["203.0.113.7", "[fe80::1]"]));
    expect(denied).toEqual(expect.arrayContaining(["127.0.0.1:5432", "127.0.0.1:9000"]));
    expect(denied).not.toContain("127.0.0.0/8");
    expect(denied).not.toContain("127.0.0.1:8080");
    expect(denied).not.toContain("127.0.0.1");
  });

  it("localhost as the API host keeps both loopback addresses on its port only", () => {
    const denied = deniedNetTargets({ apiUrl: "http://localhost:8080", ...machine });
    expect(denied).not.toContain("[::1]");
    expect(denied).toEqual(expect.arrayContaining(["[::1]:5432", "127.0.0.1:5432"]));
  });

  it("a named host is reachable: on its port, or on all ports when none is given", () => {
    const onePort = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      allowedHosts: ["127.0.0.1:5432"],
      ...machine,
    });
    expect(onePort).not.toContain("127.0.0.1:5432");
    expect(onePort).toContain("127.0.0.1:9000");
    const everyPort = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      allowedHosts: ["10.1.2.3"],
      ...machine,
    });
    expect(everyPort).not.toContain("10.0.0.0/8");
    expect(everyPort).toContain("10.1.2.2/32");
    expect(everyPort.filter((entry) => /^10\.1\.2\.3(\/32|:|$)/.test(entry))).toEqual([]);
  });

  it("a named host name exempts the addresses it resolved to, on the named port", () => {
    const resolvedNames = new Map([["db.internal", ["10.1.2.3", "fd00::5"]]]);
    const denied = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      allowedHosts: ["db.internal:8080"],
      resolvedNames,
      ...machine,
    });
    expect(denied).not.toContain("10.0.0.0/8");
    expect(denied).toContain("10.1.2.2/32");
    expect(denied).toEqual(expect.arrayContaining(["10.1.2.3:5432", "10.1.2.3:9000"]));
    expect(denied).not.toContain("10.1.2.3:8080");
    expect(denied).toEqual(expect.arrayContaining(["[fd00::5]:5432"]));
  });

  it("a name that did not resolve, or that the job does not name, exempts nothing", () => {
    const unresolved = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      allowedHosts: ["db.internal:5432"],
      ...machine,
    });
    expect(unresolved).toContain("10.0.0.0/8");
    const unnamed = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      resolvedNames: new Map([["db.internal", ["10.1.2.3"]]]),
      ...machine,
    });
    expect(unnamed).toContain("10.0.0.0/8");
  });

  it("the API's host name counts as named", () => {
    const exemptions = netExemptions({
      apiUrl: "http://fluxbase.lan:8080",
      resolvedNames: new Map([["fluxbase.lan", ["192.168.1.20"]]]),
      ...machine,
    });
    expect(exemptions).toEqual([{ ip: "192.168.1.20", ports: new Set([8080]) }]);
  });

  it("IPv6 addresses let through for other functions are denied exactly unless named", () => {
    const sharedExemptions = ["fd00::5", "FE80::0:1"];
    const other = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      sharedExemptions,
      ...machine,
    });
    expect(other).toEqual(expect.arrayContaining(["[fd00::5]", "[fe80::1]"]));
    const naming = deniedNetTargets({
      apiUrl: "http://127.0.0.1:8080",
      allowedHosts: ["[fd00:0::5]:5432"],
      sharedExemptions,
      ...machine,
    });
    expect(naming).not.toContain("[fd00::5]");
    expect(naming).toContain("[fd00::5]:9000");
  });
});

describe("IPv6 addresses", () => {
  it("tells private ranges from the internet", () => {
    for (const ip of [
      "fd00::2",
      "fc12::1",
      "fe80::1%eth0",
      "[fe80::1]",
      "fec0::1",
      "2001:db8::1",
      "64:ff9b:1::a00:1",
    ]) {
      expect(isPrivateV6(ip)).toBe(true);
    }
    for (const ip of ["2606:4700::1111", "2001:4860:4860::8888", "::1", "10.0.0.1", "not-an-ip"]) {
      expect(isPrivateV6(ip)).toBe(false);
    }
  });

  it("have one spelling", () => {
    expect(canonicalIp("[FD00:0:0::0005%eth0]")).toBe("fd00::5");
    expect(canonicalIp("10.0.0.1")).toBe("10.0.0.1");
  });
});
