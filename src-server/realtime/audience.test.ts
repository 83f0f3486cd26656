import { describe, expect, it } from "vitest";
import { createAudience } from "./audience.ts";
import { mayReadJob, type Viewer } from "./visibility.ts";

const alice: Viewer = { role: "authenticated", userId: "a" };
const bob: Viewer = { role: "authenticated", userId: "b" };
const admin: Viewer = { role: "admin", userId: "x" };
const service: Viewer = { role: "service_role", userId: null };
const anon: Viewer = { role: "anon", userId: null };

const members = (groups: ReadonlySet<string>[]) => groups.flatMap((g) => [...g]).sort();

describe("audience of a job's change", () => {
  it("offers a job to the sockets that see all jobs and to its creator's, no one else", () => {
    const audience = createAudience<string>();
    const identities: Record<string, Viewer> = {
      alice1: alice,
      alice2: alice,
      bob1: bob,
      admin1: admin,
      service1: service,
      anon1: anon,
    };
    for (const [name, identity] of Object.entries(identities)) audience.file(name, identity);
    expect(members(audience.ofJob("a"))).toEqual(["admin1", "alice1", "alice2", "service1"]);
    expect(members(audience.ofJob("b"))).toEqual(["admin1", "bob1", "service1"]);
    expect(members(audience.ofJob(null))).toEqual(["admin1", "service1"]);
    expect(members(audience.ofJob(undefined))).toEqual(["admin1", "service1"]);
    // Never narrower than the visibility rule: everyone who may read a job is offered it.
    for (const createdBy of ["a", "b", null]) {
      const offered = members(audience.ofJob(createdBy));
      for (const [name, identity] of Object.entries(identities))
        if (mayReadJob(identity, { created_by: createdBy })) expect(offered).toContain(name);
    }
  });

  it("moves a socket when its identity changes, and forgets a removed one", () => {
    const audience = createAudience<string>();
    audience.file("s", admin);
    expect(members(audience.ofJob("b"))).toEqual(["s"]);
    audience.file("s", alice); // demoted, or a new access_token
    expect(members(audience.ofJob("b"))).toEqual([]);
    expect(members(audience.ofJob("a"))).toEqual(["s"]);
    audience.file("s", anon);
    expect(members(audience.ofJob("a"))).toEqual([]);
    audience.file("s", bob);
    audience.remove("s");
    expect(members(audience.ofJob("b"))).toEqual([]);
    audience.remove("s"); // twice is harmless
  });
});
