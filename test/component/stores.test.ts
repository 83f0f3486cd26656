// The renderer's Pinia stores, driven through the real SDK client on a fake server.
import { createPinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setApiClient } from "../../src-renderer/api.ts";
import { useIdeStore } from "../../src-renderer/stores/ide.ts";
import { useRunsStore } from "../../src-renderer/stores/runs.ts";
import { useSchedulesStore } from "../../src-renderer/stores/schedules.ts";
import { useSecretsStore } from "../../src-renderer/stores/secrets.ts";
import { useSessionStore } from "../../src-renderer/stores/session.ts";
import { useUsersStore } from "../../src-renderer/stores/users.ts";
import { useWorkersStore } from "../../src-renderer/stores/workers.ts";
import {
  fakeServer,
  FakeSocket,
  makeJob,
  makeSchedule,
  makeSecret,
  makeUser,
  stats,
} from "./fake-server.ts";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  setApiClient(undefined);
});

describe("session store", () => {
  it("signs in with email and password and mirrors the user", async () => {
    const server = fakeServer({ accounts: { "ada@example.com": "correct horse" } });
    const session = useSessionStore();
    await session.signIn("ada@example.com", "correct horse");
    expect(session.user?.email).toBe("ada@example.com");
    expect(server.calls("POST", "/api/v1/auth/signin")[0]?.json).toEqual({
      email: "ada@example.com",
      password: "correct horse",
    });
  });

  it("throws the server's message on a wrong password and stays signed out", async () => {
    fakeServer({ accounts: { "ada@example.com": "correct horse" } });
    const session = useSessionStore();
    await expect(session.signIn("ada@example.com", "wrong")).rejects.toThrow(
      "Invalid email or password",
    );
    expect(session.user).toBeNull();
  });

  it("restore without a stored session is ready and signed out; sign-out clears the user", async () => {
    fakeServer({ accounts: { "ada@example.com": "pw-123456" } });
    const session = useSessionStore();
    await session.restore();
    expect(session.ready).toBe(true);
    expect(session.user).toBeNull();
    await session.signIn("ada@example.com", "pw-123456");
    expect(session.user).not.toBeNull();
    await session.signOut();
    expect(session.user).toBeNull();
  });
});

describe("runs store", () => {
  // The Runs page is the admin's view of every run.
  beforeEach(() => {
    useSessionStore().user = makeUser({ email: "admin@example.com", role: "admin" });
  });

  it("loads the list newest first and filters and searches on the server", async () => {
    const server = fakeServer({
      jobs: [
        makeJob({ job_name: "send-mail", status: "completed", created_at: "2026-01-01T00:00:01Z" }),
        makeJob({
          job_name: "process-data",
          status: "failed",
          error_message: "boom: disk full",
          created_at: "2026-01-01T00:00:03Z",
        }),
        makeJob({
          job_name: "process-data",
          status: "running",
          created_at: "2026-01-01T00:00:02Z",
        }),
      ],
    });
    const runs = useRunsStore();
    await runs.load();
    expect(runs.error).toBeNull();
    expect(runs.total).toBe(3);
    expect(runs.filtered.map((j) => j.status)).toEqual(["failed", "running", "completed"]);
    expect(runs.functionNames).toEqual(["process-data", "send-mail"]);

    runs.filters.search = "disk full";
    await runs.load();
    expect(
      server.calls("GET", "/api/v1/admin/jobs/queue").at(-1)?.url.searchParams.get("search"),
    ).toBe("disk full");
    expect(runs.filtered.map((j) => j.status)).toEqual(["failed"]);
    expect(runs.total).toBe(1);
    runs.filters.search = "";

    runs.filters.status = "running";
    await runs.load();
    expect(
      server.calls("GET", "/api/v1/admin/jobs/queue").at(-1)?.url.searchParams.get("status"),
    ).toBe("running");
    expect(runs.filtered).toHaveLength(1);
    expect(runs.filtered[0]?.status).toBe("running");
  });

  it("surfaces a failed load as a message", async () => {
    fakeServer({
      failures: { "GET /api/v1/admin/jobs/queue": { status: 500, error: "database is down" } },
    });
    const runs = useRunsStore();
    await runs.load();
    expect(runs.error).toBe("database is down");
    expect(runs.loading).toBe(false);
  });

  it("goes live over realtime and applies inserts and updates", async () => {
    const job = makeJob({ status: "pending" });
    fakeServer({ jobs: [job] });
    const runs = useRunsStore();
    await runs.load();
    runs.subscribe();
    expect(runs.live).toBe(false);
    const socket = FakeSocket.last();
    socket.open();
    expect(socket.sent[0]).toMatchObject({ type: "subscribe", channel: "table:jobs.queue" });
    expect(runs.live).toBe(true);

    socket.pushJob("UPDATE", { ...job, status: "running", progress: { percent: 40 } });
    const fresh = makeJob({
      job_name: "new-one",
      created_at: new Date(Date.now() + 1000).toISOString(),
    });
    socket.pushJob("INSERT", fresh);
    await vi.waitFor(() => expect(runs.jobs.get(job.id)?.status).toBe("running"));
    expect(runs.jobs.get(job.id)?.progress?.percent).toBe(40);
    expect(runs.filtered[0]?.job_name).toBe("new-one");

    runs.unsubscribe();
    expect(runs.live).toBe(false);
  });

  it("keeps a run that arrived live while a page it is missing from was loading", async () => {
    const old = makeJob({
      job_name: "old-one",
      created_at: new Date(Date.now() - 60_000).toISOString(),
    });
    const server = fakeServer({ jobs: [old] });
    const runs = useRunsStore();
    runs.subscribe();
    FakeSocket.last().open();
    await vi.waitFor(() => expect(runs.loaded && !runs.loading).toBe(true));
    let release!: () => void;
    server.state.holds = {
      "GET /api/v1/admin/jobs/queue": new Promise<void>((resolve) => (release = resolve)),
    };
    // The page is read now and answered after the new run's INSERT has been shown.
    const loading = runs.load();
    const fresh = makeJob({ job_name: "new-one", created_at: new Date().toISOString() });
    FakeSocket.last().pushJob("INSERT", fresh);
    await vi.waitFor(() => expect(runs.filtered[0]?.job_name).toBe("new-one"));
    release();
    await loading;
    expect(runs.filtered.map((j) => j.job_name)).toEqual(["new-one", "old-one"]);
    expect(runs.total).toBe(2);
  });

  it("reports a realtime error as a message", () => {
    fakeServer();
    const runs = useRunsStore();
    runs.subscribe();
    const socket = FakeSocket.last();
    socket.open();
    socket.push({ type: "error", error: "not allowed" });
    expect(runs.error).toBe("Live updates: not allowed");
    runs.unsubscribe();
  });

  it("a cancel on the server shows as cancelled after refresh", async () => {
    const job = makeJob({ status: "running" });
    const server = fakeServer({ jobs: [job] });
    const runs = useRunsStore();
    await runs.load();
    const { error } = await server.client.admin.jobs.cancel(job.id);
    expect(error).toBeNull();
    await runs.refresh(job.id);
    await vi.waitFor(() => expect(runs.jobs.get(job.id)?.status).toBe("cancelled"));
  });
});

describe("workers store", () => {
  it("polls workers and counts, and computes throughput between polls", async () => {
    const server = fakeServer({
      workers: [
        {
          id: "w1-aaaaaaaa",
          name: "worker-1",
          status: "active",
          max_concurrent_jobs: 4,
          current_job_count: 2,
          started_at: "2026-01-01T00:00:00Z",
        },
      ],
      stats: stats({ completed: 10, failed: 1 }),
    });
    const now = vi.spyOn(Date, "now").mockReturnValue(1_000_000);
    const workers = useWorkersStore();
    await workers.poll();
    expect(workers.loaded).toBe(true);
    expect(workers.workers[0]).toMatchObject({
      name: "worker-1",
      current_jobs: 2,
      max_concurrent: 4,
    });
    expect(workers.stats?.completed).toBe(10);
    expect(workers.points).toEqual([]);

    server.state.stats = stats({ completed: 30, failed: 3 });
    now.mockReturnValue(1_002_000);
    await workers.poll();
    expect(workers.points).toEqual([{ t: 1_002_000, completed: 10, failed: 1 }]);
  });

  it("shows an error message when the server fails, and clears it when it recovers", async () => {
    const server = fakeServer({
      failures: { "GET /api/v1/admin/jobs/workers": { status: 403, error: "admin role required" } },
    });
    const workers = useWorkersStore();
    await workers.poll();
    expect(workers.error).toBe("admin role required");
    server.state.failures = {};
    await workers.poll();
    expect(workers.error).toBeNull();
  });
});

describe("ide store", () => {
  it("lists files, opens one, tracks unsaved edits and saves through the SDK", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const server = fakeServer({ files: { "hello.ts": "export default 1;\n" } });
    const ide = useIdeStore();
    await ide.refresh();
    expect(ide.entries.map((e) => e.path)).toEqual(["hello.ts"]);
    await ide.open("hello.ts");
    expect(ide.text).toBe("export default 1;\n");
    expect(ide.dirty).toBe(false);
    ide.text = "export default 2;\n";
    expect(ide.dirty).toBe(true);
    expect(await ide.save()).toBe(true);
    expect(ide.dirty).toBe(false);
    expect(server.state.files["hello.ts"]).toBe("export default 2;\n");
    const before = server.calls("GET", "/api/v1/admin/jobs/files").length;
    await vi.runAllTimersAsync(); // the reload after a save
    expect(server.calls("GET", "/api/v1/admin/jobs/files").length).toBe(before + 1);
  });

  it("creates, renames and deletes files, and surfaces errors", async () => {
    const server = fakeServer();
    const ide = useIdeStore();
    await ide.create("a.ts", "// a\n");
    expect(ide.openPath).toBe("a.ts");
    await ide.rename("a.ts", "b.ts");
    expect(ide.openPath).toBe("b.ts");
    expect(Object.keys(server.state.files)).toEqual(["b.ts"]);
    await ide.remove("b.ts");
    expect(ide.openPath).toBeNull();
    expect(ide.entries).toEqual([]);
    await ide.open("missing.ts");
    expect(ide.error).toBe("File not found");
  });
});

describe("schedules store", () => {
  it("lists schedules with their last runs, pauses, resumes and runs now", async () => {
    const server = fakeServer({
      schedules: [makeSchedule("nightly")],
      jobs: [makeJob({ job_name: "nightly", status: "completed" })],
    });
    const schedules = useSchedulesStore();
    await schedules.refresh();
    const nightly = schedules.schedules[0]!;
    expect(nightly.name).toBe("nightly");
    expect(schedules.runsOf(nightly).map((j) => j.status)).toEqual(["completed"]);

    await schedules.act(nightly, "pause");
    expect(schedules.schedules[0]?.paused).toBe(true);
    await schedules.act(schedules.schedules[0]!, "resume");
    expect(schedules.schedules[0]?.paused).toBe(false);

    const job = await schedules.act(schedules.schedules[0]!, "trigger");
    expect(job?.payload).toEqual({ _trigger: "manual" });
    expect(schedules.runsOf(schedules.schedules[0]!)).toHaveLength(2);
    expect(
      server.calls("POST", "/api/v1/admin/jobs/schedules/default/nightly/trigger"),
    ).toHaveLength(1);
  });

  it("shows the server's error", async () => {
    fakeServer({
      failures: { "GET /api/v1/admin/jobs/schedules": { status: 500, error: "scheduler offline" } },
    });
    const schedules = useSchedulesStore();
    await schedules.refresh();
    expect(schedules.error).toBe("scheduler offline");
    expect(schedules.loading).toBe(false);
  });
});

describe("secrets store", () => {
  // An admin manages system secrets; anyone else only their own.
  beforeEach(() => {
    useSessionStore().user = makeUser({ email: "admin@example.com", role: "admin" });
  });

  it("asks a non-admin's server for their own secrets only", async () => {
    useSessionStore().user = makeUser({ email: "bob@example.com", role: "authenticated" });
    const server = fakeServer({ userSecrets: [{ ...makeSecret("MY_TOKEN"), value: "tok_mine" }] });
    const secrets = useSecretsStore();
    await secrets.refresh();
    expect(secrets.user.map((s) => s.key)).toEqual(["MY_TOKEN"]);
    expect(secrets.error).toBeNull();
    expect(server.requests.filter((r) => r.url.pathname.includes("/admin/"))).toEqual([]);
  });

  it("lists names and metadata only; a value is only held after an explicit reveal", async () => {
    fakeServer({
      systemSecrets: [{ ...makeSecret("STRIPE_KEY"), value: "sk_live_very_secret" }],
      userSecrets: [{ ...makeSecret("MY_TOKEN"), value: "tok_mine" }],
      files: { "pay.ts": 'const k = secrets.get("STRIPE_KEY"); secrets.get("MISSING_ONE");' },
    });
    const secrets = useSecretsStore();
    await secrets.refresh();
    expect(secrets.system.map((s) => s.key)).toEqual(["STRIPE_KEY"]);
    expect(secrets.user.map((s) => s.key)).toEqual(["MY_TOKEN"]);
    expect(JSON.stringify([secrets.system, secrets.user])).not.toMatch(/sk_live|tok_mine/);
    expect(secrets.revealed).toEqual({});
    await vi.waitFor(() => expect(secrets.referencesOf("STRIPE_KEY")).toEqual(["pay.ts"]));

    await secrets.toggleReveal("STRIPE_KEY");
    expect(secrets.revealed).toEqual({ STRIPE_KEY: "sk_live_very_secret" });
    await secrets.toggleReveal("STRIPE_KEY");
    expect(secrets.revealed).toEqual({});
  });

  it("adds, updates and deletes secrets in either scope", async () => {
    const server = fakeServer();
    const secrets = useSecretsStore();
    expect(await secrets.save("system", "API_KEY", "v1", "the api", false)).toBe(true);
    expect(secrets.system.map((s) => [s.key, s.description])).toEqual([["API_KEY", "the api"]]);
    expect(await secrets.save("system", "API_KEY", "v2", "the api", true)).toBe(true);
    expect(secrets.system[0]?.version).toBe(2);
    expect(server.state.systemSecrets[0]?.value).toBe("v2");
    await secrets.save("user", "MINE", "x", "", false);
    expect(secrets.user.map((s) => s.key)).toEqual(["MINE"]);
    await secrets.remove("system", "API_KEY");
    expect(secrets.system).toEqual([]);
  });

  it("surfaces a failed save as a message", async () => {
    fakeServer({
      failures: {
        "POST /api/v1/admin/settings/custom/secret": {
          status: 400,
          error: "key must be UPPER_CASE",
        },
      },
    });
    const secrets = useSecretsStore();
    expect(await secrets.save("system", "bad", "v", "", false)).toBe(false);
    expect(secrets.error).toBe("key must be UPPER_CASE");
  });
});

describe("users store", () => {
  it("lists, creates, changes roles and deletes users", async () => {
    const server = fakeServer({ users: [makeUser({ email: "admin@example.com", role: "admin" })] });
    const users = useUsersStore();
    await users.refresh();
    expect(users.users.map((u) => u.email)).toEqual(["admin@example.com"]);
    expect(
      await users.create({ email: "bob@example.com", password: "12345678", role: "authenticated" }),
    ).toBe(true);
    expect(users.users.map((u) => u.email)).toEqual(["admin@example.com", "bob@example.com"]);
    const bob = users.users[1]!;
    await users.setRole(bob.id, "dashboard_admin");
    expect(users.users[1]?.role).toBe("dashboard_admin");
    expect(server.calls("PATCH", `/api/v1/admin/users/${bob.id}`)[0]?.json).toEqual({
      role: "dashboard_admin",
    });
    await users.remove(bob.id);
    expect(users.users.map((u) => u.email)).toEqual(["admin@example.com"]);
  });

  it("shows the server's message when creating a duplicate", async () => {
    fakeServer({ users: [makeUser({ email: "bob@example.com" })] });
    const users = useUsersStore();
    expect(await users.create({ email: "bob@example.com", password: "12345678" })).toBe(false);
    expect(users.error).toBe("A user with this email already exists");
    expect(users.users).toHaveLength(1);
  });
});
