import { describe, expect, it } from "vitest";
import { isRealtimeTable, mayReadJob, mayReadRow, type Viewer } from "./visibility.ts";

const alice: Viewer = { role: "authenticated", userId: "a" };
const anon: Viewer = { role: "anon", userId: null };
const noUser: Viewer = { role: "authenticated", userId: null };
const admins: Viewer[] = [
  { role: "admin", userId: "x" },
  { role: "dashboard_admin", userId: "y" },
  { role: "service_role", userId: null },
];

const aliceJob = { id: "1", created_by: "a", user_role: "authenticated" };
const bobJob = { id: "2", created_by: "b", user_role: "authenticated" };
const anonJob = { id: "3", created_by: null, user_role: "anon" };
const serviceJob = { id: "4", created_by: null, user_role: "service_role" };

describe("mayReadJob", () => {
  it("lets a user see only their own jobs", () => {
    expect(mayReadJob(alice, aliceJob)).toBe(true);
    expect(mayReadJob(alice, bobJob)).toBe(false);
    expect(mayReadJob(alice, anonJob)).toBe(false);
    expect(mayReadJob(alice, serviceJob)).toBe(false);
  });

  it("shows the anon identity no job, not even an anonymously submitted one", () => {
    expect(mayReadJob(anon, anonJob)).toBe(false);
    expect(mayReadJob(anon, serviceJob)).toBe(false);
    expect(mayReadJob(anon, aliceJob)).toBe(false);
  });

  it("shows nothing to a token without a user", () => {
    for (const row of [aliceJob, anonJob, serviceJob]) expect(mayReadJob(noUser, row)).toBe(false);
  });

  it("lets admin, dashboard_admin and service_role see every job", () => {
    for (const viewer of admins) {
      for (const row of [aliceJob, bobJob, anonJob, serviceJob])
        expect(mayReadJob(viewer, row)).toBe(true);
      expect(mayReadJob(viewer, null)).toBe(true);
    }
  });

  it("shows an unknown row to admins only", () => {
    expect(mayReadJob(alice, null)).toBe(false);
    expect(mayReadJob(anon, undefined)).toBe(false);
  });
});

describe("mayReadRow", () => {
  it("applies the job rule to jobs.queue", () => {
    expect(mayReadRow(alice, "jobs", "queue", aliceJob)).toBe(true);
    expect(mayReadRow(alice, "jobs", "queue", bobJob)).toBe(false);
  });

  it("shows jobs.workers to admins only", () => {
    const worker = { id: "w", status: "active" };
    expect(mayReadRow(alice, "jobs", "workers", worker)).toBe(false);
    expect(mayReadRow(anon, "jobs", "workers", worker)).toBe(false);
    for (const viewer of admins) expect(mayReadRow(viewer, "jobs", "workers", worker)).toBe(true);
  });

  it("shows other tables to nobody", () => {
    expect(mayReadRow(admins[2]!, "jobs", "functions", { id: "f" })).toBe(false);
    expect(isRealtimeTable("jobs", "functions")).toBe(false);
    expect(isRealtimeTable("jobs", "queue")).toBe(true);
  });
});
