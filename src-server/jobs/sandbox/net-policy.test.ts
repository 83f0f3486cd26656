import { describe, expect, it } from "vitest";
import { cutOut, deniedNetTargets } from "./net-policy.ts";

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
});
