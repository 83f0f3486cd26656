import { describe, expect, it } from "vitest";
import type { Exemption } from "./net-policy.ts";
import { createNetPlanner } from "./net-planner.ts";
import type { OsEgress } from "./os-egress.ts";

function fakeEgress() {
  const allowed: string[] = [];
  let readyCalls = 0;
  const egress: OsEgress = {
    ready: async () => {
      readyCalls += 1;
      return true;
    },
    covers: (exemptions: readonly Exemption[]) =>
      exemptions.every((e) => !e.ip.includes(":") || allowed.includes(e.ip)),
    allow: async (exemptions) => {
      for (const e of exemptions) if (e.ip.includes(":")) allowed.push(e.ip);
    },
    exempted: () => [...allowed, "fd00::99"],
    close: async () => {},
  };
  return { egress, allowed, readyCalls: () => readyCalls };
}

const spec = (allowNetHosts: string[]) => ({
  serverUrl: "http://127.0.0.1:8080",
  permissions: {
    allowNet: true,
    allowEnv: true,
    allowRead: false,
    allowWrite: false,
    memoryLimitMb: 256,
    allowNetHosts,
  },
});

describe("createNetPlanner", () => {
  it("looks names up and lets their private IPv6 addresses through before the first plan, then needs nothing", async () => {
    const fake = fakeEgress();
    const lookups: string[] = [];
    const planner = createNetPlanner({
      osEgress: fake.egress,
      hostResolver: {
        lookup: async (name) => {
          lookups.push(name);
          return ["10.1.2.3", "fd00::5"];
        },
      },
    });
    const job = spec(["db.internal:5432"]);
    await planner.prepare(job);
    expect(lookups).toEqual(["db.internal"]);
    expect(fake.allowed).toEqual(["fd00::5"]);
    expect(planner.prepare(job)).toBeUndefined();

    const denied = planner.deniedNet(job);
    expect(denied).not.toContain("10.0.0.0/8");
    expect(denied).toContain("[fd00::99]");
    expect(denied).not.toContain("[fd00::5]");
    expect(planner.deniedNet(spec([]))).toEqual(
      expect.arrayContaining(["[fd00::5]", "10.0.0.0/8"]),
    );
  });

  it("works a deny list out again when what it depends on changes, and keeps it otherwise", async () => {
    const fake = fakeEgress();
    const planner = createNetPlanner({
      osEgress: fake.egress,
      hostResolver: { lookup: async () => ["fd00::7"] },
    });
    const plain = spec([]);
    await planner.prepare(plain);
    const before = planner.deniedNet(plain);
    expect(planner.deniedNet(plain)).toEqual(before);
    expect(before).not.toContain("[fd00::7]");
    // Another function names a host: the system now lets its address through for the
    // sandbox user, so every other job's deny list must name it.
    await planner.prepare(spec(["other.internal:443"]));
    const after = planner.deniedNet(plain);
    expect(after).toContain("[fd00::7]");
    expect(after.filter((entry) => entry !== "[fd00::7]")).toEqual(before);
  });

  it("denies an address the machine gains to jobs started once the last reading is a second old, and reads the machine at most once a second", () => {
    let t = 0;
    let reads = 0;
    const addresses = ["127.0.0.1", "192.0.2.2"];
    const planner = createNetPlanner({
      now: () => t,
      machine: () => {
        reads += 1;
        return { listeningPorts: [8080], localAddresses: [...addresses] };
      },
    });
    const job = spec([]);
    const before = planner.deniedNet(job);
    expect(before).not.toContain("93.184.216.34");
    addresses.push("93.184.216.34", "2001:db8::9");
    for (t = 0; t < 1000; t += 100) expect(planner.deniedNet(job)).toEqual(before);
    expect(reads).toBe(1);
    t = 1000;
    expect(planner.deniedNet(job)).toEqual(
      expect.arrayContaining(["93.184.216.34", "[2001:db8::9]"]),
    );
    expect(reads).toBe(2);
  });
});
