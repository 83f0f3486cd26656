import { describe, expect, it } from "vitest";
import { ALL_JOBS, jobViewerOf, jobViewerSql, mayViewJob, NO_JOBS } from "./job-viewer.ts";

const aliceJob = { created_by: "a" };
const bobJob = { created_by: "b" };
const anonJob = { created_by: null, user_role: "anon" };

describe("jobViewerOf", () => {
  it("lets admins and the service role see every job", () => {
    for (const role of ["admin", "dashboard_admin", "service_role"])
      expect(jobViewerOf({ role, userId: "x" })).toEqual(ALL_JOBS);
  });

  it("lets a user see their own jobs", () => {
    expect(jobViewerOf({ role: "authenticated", userId: "a" })).toEqual({
      sees: "user",
      userId: "a",
    });
  });

  it("shows no job to the anon identity or to a role without a user", () => {
    expect(jobViewerOf({ role: "anon", userId: null })).toEqual(NO_JOBS);
    expect(jobViewerOf({ role: "authenticated", userId: null })).toEqual(NO_JOBS);
  });
});

describe("mayViewJob", () => {
  const alice = jobViewerOf({ role: "authenticated", userId: "a" });

  it("admits a user's own job only", () => {
    expect(mayViewJob(alice, aliceJob)).toBe(true);
    expect(mayViewJob(alice, bobJob)).toBe(false);
    expect(mayViewJob(alice, anonJob)).toBe(false);
    expect(mayViewJob(alice, null)).toBe(false);
  });

  it("admits everything to all and nothing to none, anonymous jobs included", () => {
    for (const row of [aliceJob, bobJob, anonJob]) {
      expect(mayViewJob(ALL_JOBS, row)).toBe(true);
      expect(mayViewJob(NO_JOBS, row)).toBe(false);
    }
  });
});

describe("jobViewerSql", () => {
  it("states the same rule as a condition with the user id as a parameter", () => {
    expect(jobViewerSql(ALL_JOBS, "q", 3)).toEqual({ sql: "true", values: [] });
    expect(jobViewerSql(NO_JOBS, "q", 3)).toEqual({ sql: "false", values: [] });
    expect(jobViewerSql({ sees: "user", userId: "a" }, "q", 3)).toEqual({
      sql: "q.created_by = $3",
      values: ["a"],
    });
  });
});
