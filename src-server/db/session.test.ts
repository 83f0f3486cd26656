import { describe, expect, it } from "vitest";
import { anonCaller, callerFromClaims, serviceCaller } from "../auth/caller.ts";
import { pgRoleFor, sessionClaims } from "./session.ts";

describe("pgRoleFor", () => {
  it("maps application roles to the three database roles (compatibility §1.3)", () => {
    expect(["service_role", "dashboard_admin"].map(pgRoleFor)).toEqual([
      "service_role",
      "service_role",
    ]);
    expect(["anon", "", null, undefined].map(pgRoleFor)).toEqual(["anon", "anon", "anon", "anon"]);
    expect(["authenticated", "admin", "editor"].map(pgRoleFor)).toEqual([
      "authenticated",
      "authenticated",
      "authenticated",
    ]);
  });
});

describe("sessionClaims", () => {
  it("carries sub, the application role, email and the user's metadata", () => {
    const sub = "7b0e1f4e-2c5f-4b7e-9d1a-0a0a0a0a0a0a";
    const caller = callerFromClaims({
      sub,
      user_id: sub,
      role: "admin",
      email: "ann@example.com",
      session_id: "s1",
      user_metadata: { name: "Ann" },
      app_metadata: {},
      jti: "not passed on",
      job_id: "not passed on",
    });
    expect(sessionClaims(caller)).toEqual({
      sub,
      role: "admin",
      email: "ann@example.com",
      session_id: "s1",
      user_metadata: { name: "Ann" },
      app_metadata: {},
    });
  });

  it("has no user for the anon and service keys", () => {
    expect(sessionClaims(anonCaller())).toEqual({ role: "anon" });
    expect(sessionClaims(serviceCaller())).toEqual({ role: "service_role" });
    expect(sessionClaims(callerFromClaims({ sub: "service_role", role: "service_role" }))).toEqual({
      sub: "service_role",
      role: "service_role",
    });
  });
});
