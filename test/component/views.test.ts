// The main views mounted with Pinia and a memory router, on the fake server's client.
import { enableAutoUnmount, flushPromises, mount } from "@vue/test-utils";
import { createPinia, setActivePinia, type Pinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Component } from "vue";
import { createMemoryHistory, createRouter, type Router } from "vue-router";
import { setApiClient } from "../../src-renderer/api.ts";
import { useSessionStore } from "../../src-renderer/stores/session.ts";
import LoginView from "../../src-renderer/views/LoginView.vue";
import RunsView from "../../src-renderer/views/RunsView.vue";
import SchedulesView from "../../src-renderer/views/SchedulesView.vue";
import SecretsView from "../../src-renderer/views/SecretsView.vue";
import UsersView from "../../src-renderer/views/UsersView.vue";
import WorkersView from "../../src-renderer/views/WorkersView.vue";
import {
  fakeServer,
  FakeSocket,
  makeJob,
  makeSchedule,
  makeSecret,
  makeUser,
  stats,
  type ServerState,
} from "./fake-server.ts";

enableAutoUnmount(afterEach);

let pinia: Pinia;
beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  setApiClient(undefined);
});

/** happy-dom has no window.confirm: a stub that answers `answer`. */
function stubConfirm(answer: boolean) {
  const confirm = vi.fn((_message?: string) => answer);
  vi.stubGlobal("confirm", confirm);
  return confirm;
}

const Blank: Component = { template: "<div />" };

function makeRouter(): Router {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: "/login", component: LoginView },
      { path: "/runs/:id?", component: RunsView },
      { path: "/workers", component: WorkersView },
      { path: "/secrets", component: SecretsView },
      { path: "/users", component: UsersView },
      { path: "/schedules", component: SchedulesView },
      { path: "/:rest(.*)*", component: Blank },
    ],
  });
}

/** Mounts `view` at `path`, signed in as an admin unless `signedIn` is false. */
async function mountView(
  view: Component,
  path: string,
  seed: Partial<ServerState> = {},
  signedIn = true,
) {
  const server = fakeServer(seed);
  if (signedIn) useSessionStore().user = makeUser({ email: "admin@example.com", role: "admin" });
  const router = makeRouter();
  await router.push(path);
  await router.isReady();
  const wrapper = mount(view, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  return { server, router, wrapper };
}

describe("RunsView", () => {
  it("with no jobs teaches what a job is and runs the example with one click", async () => {
    const { server, router, wrapper } = await mountView(RunsView, "/runs");
    expect(wrapper.text()).toContain("No jobs yet");
    const button = wrapper.get('[data-testid="run-example"]');
    expect(button.text()).toBe("Run an example job");

    await button.trigger("click");
    await flushPromises();
    const submitted = server.calls("POST", "/api/v1/jobs/submit");
    expect(submitted[0]?.json).toEqual({
      job_name: "process-data",
      payload: { items: [1, 2, 3, 4, 5] },
    });
    const id = server.state.jobs[0]!.id;
    expect(router.currentRoute.value.path).toBe(`/runs/${id}`);
    await vi.waitFor(() => expect(wrapper.find(`[data-job-id="${id}"]`).exists()).toBe(true));
    expect(wrapper.get('[data-testid="run-detail"]').text()).toContain("process-data");
    expect(wrapper.text()).not.toContain("No jobs yet");
  });

  it("a failed job's detail shows its error", async () => {
    const job = makeJob({ status: "failed", error_message: "TypeError: items is not iterable" });
    const { wrapper } = await mountView(RunsView, `/runs/${job.id}`, { jobs: [job] });
    const row = wrapper.get(`[data-job-id="${job.id}"]`);
    expect(row.attributes("data-status")).toBe("failed");
    const detail = wrapper.get('[data-testid="run-detail"]');
    expect(detail.get('[data-testid="detail-status"]').text()).toBe("failed");
    expect(detail.text()).toContain("Error");
    expect(detail.get("pre.err").text()).toBe("TypeError: items is not iterable");
  });

  it("marks each progress report of a run on the trace's time axis", async () => {
    const at = (s: number) => new Date(Date.parse("2026-01-01T10:00:00Z") + s * 1000).toISOString();
    const job = makeJob({
      status: "completed",
      created_at: at(0),
      started_at: at(1),
      completed_at: at(10),
    });
    const attempts = {
      [job.id]: [
        {
          attempt: 1,
          status: "completed",
          started_at: at(1),
          ended_at: at(10),
          progress: [
            { percent: 10, message: "fetching", at: at(2) },
            { percent: 50, message: "crunching", at: at(5) },
            { percent: 90, message: "saving", at: at(8) },
          ],
        },
      ],
    };
    const { wrapper } = await mountView(RunsView, `/runs/${job.id}`, { jobs: [job], attempts });
    await vi.waitFor(() =>
      expect(wrapper.findAll('[data-testid="progress-mark"]')).toHaveLength(3),
    );
    const marks = wrapper.findAll('[data-testid="progress-mark"]');
    expect(marks.map((m) => m.attributes("title"))).toEqual([
      expect.stringContaining("progress 10% — fetching"),
      expect.stringContaining("progress 50% — crunching"),
      expect.stringContaining("progress 90% — saving"),
    ]);
    expect(marks.map((m) => m.attributes("style"))).toEqual([
      expect.stringContaining("left: 20.00%"),
      expect.stringContaining("left: 50.00%"),
      expect.stringContaining("left: 80.00%"),
    ]);
  });

  it("shows the count before a bulk cancel, then cancels exactly those runs", async () => {
    const active = [
      makeJob({ status: "pending" }),
      makeJob({ status: "running" }),
      makeJob({ status: "pending" }),
    ];
    const done = makeJob({ status: "completed" });
    const { server, wrapper } = await mountView(RunsView, "/runs", { jobs: [...active, done] });
    const cancel = wrapper.get('[data-testid="bulk-cancel"]');
    expect(cancel.text()).toBe("Cancel all (3)");
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);

    await cancel.trigger("click");
    const dialog = wrapper.get('[role="dialog"]');
    expect(dialog.text()).toContain("Cancel 3 pending or running runs of the filtered set?");
    expect(dialog.get('[data-testid="confirm"]').text()).toBe("Cancel 3");
    expect(server.requests.filter((r) => r.url.pathname.endsWith("/cancel"))).toHaveLength(0);

    await dialog.get('[data-testid="confirm"]').trigger("click");
    await flushPromises();
    const cancelled = server.requests.filter((r) => r.url.pathname.endsWith("/cancel"));
    expect(cancelled.map((r) => r.url.pathname.split("/").at(-2)).sort()).toEqual(
      active.map((j) => j.id).sort(),
    );
    expect(wrapper.text()).toContain("Cancelled 3 runs");
    expect(done.status).toBe("completed");
  });

  it("dismissing the confirm dialog cancels nothing", async () => {
    const { server, wrapper } = await mountView(RunsView, "/runs", {
      jobs: [makeJob({ status: "running" })],
    });
    await wrapper.get('[data-testid="bulk-cancel"]').trigger("click");
    const dialog = wrapper.get('[role="dialog"]');
    await dialog
      .findAll("button")
      .find((b) => b.text() === "Cancel")!
      .trigger("click");
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect(server.requests.filter((r) => r.url.pathname.endsWith("/cancel"))).toHaveLength(0);
  });

  it("goes live and shows a pushed status change and a new run", async () => {
    const job = makeJob({ status: "pending" });
    const { wrapper } = await mountView(RunsView, "/runs", { jobs: [job] });
    expect(wrapper.text()).toContain("○ connecting");
    const socket = FakeSocket.instances[0]!;
    socket.open();
    await flushPromises();
    expect(wrapper.text()).toContain("● live");

    socket.pushJob("UPDATE", { ...job, status: "running" });
    const fresh = makeJob({ job_name: "send-report" });
    socket.pushJob("INSERT", fresh);
    await vi.waitFor(() =>
      expect(wrapper.get(`[data-job-id="${job.id}"]`).attributes("data-status")).toBe("running"),
    );
    expect(wrapper.get(`[data-job-id="${fresh.id}"]`).text()).toContain("send-report");
    expect(wrapper.get('[data-testid="runs-count"]').text()).toContain("2 runs");
  });

  it("searches on the server, keeps the search in the URL and says when nothing matches", async () => {
    const { wrapper, server, router } = await mountView(RunsView, "/runs", {
      jobs: [
        makeJob({ job_name: "send-mail", payload: { to: "zed@example.com" } }),
        makeJob({ job_name: "resize-image" }),
      ],
    });
    await wrapper.get('[data-testid="runs-search"]').setValue("zed@example");
    await wrapper.get('[data-testid="runs-search"]').trigger("keydown", { key: "Enter" });
    await flushPromises();
    await vi.waitFor(() => expect(wrapper.findAll("[data-job-id]")).toHaveLength(1));
    expect(
      server.calls("GET", "/api/v1/admin/jobs/queue").at(-1)?.url.searchParams.get("search"),
    ).toBe("zed@example");
    expect(router.currentRoute.value.query.q).toBe("zed@example");
    expect(wrapper.get('[data-testid="runs-count"]').text()).toContain("1 run");
    await wrapper.get('[data-testid="runs-search"]').setValue("nothing-like-this");
    await wrapper.get('[data-testid="runs-search"]').trigger("keydown", { key: "Enter" });
    await flushPromises();
    await vi.waitFor(() => expect(wrapper.text()).toContain("No runs match these filters"));
    expect(wrapper.find('[data-testid="run-example"]').exists()).toBe(false);
  });

  it("shows a load error in a banner", async () => {
    const { wrapper } = await mountView(RunsView, "/runs", {
      failures: { "GET /api/v1/admin/jobs/queue": { status: 500, error: "database is down" } },
    });
    expect(wrapper.get('[role="alert"]').text()).toContain("database is down");
  });
});

describe("WorkersView", () => {
  it("lists workers with their load, and the queue counts", async () => {
    const { wrapper } = await mountView(WorkersView, "/workers", {
      workers: [
        {
          id: "abcdef12-0000",
          name: "laptop-worker",
          hostname: "laptop",
          status: "active",
          max_concurrent_jobs: 4,
          current_job_count: 2,
          last_heartbeat_at: new Date().toISOString(),
          started_at: "2026-01-01T00:00:00Z",
        },
      ],
      stats: stats({ pending: 7, running: 2 }),
    });
    const rows = wrapper.findAll('[data-testid="worker-row"]');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.text()).toContain("laptop-worker");
    expect(rows[0]!.text()).toContain("2 / 4");
    expect(rows[0]!.text()).toContain("active");
    expect(wrapper.text()).toContain("7");
  });

  it("tells how to start a worker when there is none, and shows errors", async () => {
    const { wrapper } = await mountView(WorkersView, "/workers", {
      failures: { "GET /api/v1/admin/jobs/stats": { status: 403, error: "admin role required" } },
    });
    expect(wrapper.get('[data-testid="workers-table"]').text()).toContain("No workers registered");
    expect(wrapper.get('[role="alert"]').text()).toContain("admin role required");
  });
});

describe("SecretsView", () => {
  const seed = (): Partial<ServerState> => ({
    systemSecrets: [
      { ...makeSecret("STRIPE_KEY", { description: "payments" }), value: "sk_live_123" },
    ],
    userSecrets: [{ ...makeSecret("MY_TOKEN"), value: "tok_mine" }],
    files: { "charge.ts": 'secrets.get("STRIPE_KEY"); secrets.getRequired("SMTP_PASSWORD");' },
  });

  it("masks values until Reveal, and hides them again", async () => {
    const { wrapper } = await mountView(SecretsView, "/secrets", seed());
    const row = () => wrapper.get('[data-testid="secret-STRIPE_KEY"]');
    expect(row().text()).toContain("••••••••");
    expect(wrapper.html()).not.toContain("sk_live_123");

    await row()
      .findAll("button")
      .find((b) => b.text() === "Reveal")!
      .trigger("click");
    await flushPromises();
    expect(row().text()).toContain("sk_live_123");
    expect(row().text()).not.toContain("••••••••");

    await row()
      .findAll("button")
      .find((b) => b.text() === "Hide")!
      .trigger("click");
    expect(row().text()).toContain("••••••••");
    expect(wrapper.html()).not.toContain("sk_live_123");
  });

  it("shows where a secret is used and names referenced secrets that are not set", async () => {
    const { wrapper } = await mountView(SecretsView, "/secrets", seed());
    await vi.waitFor(() =>
      expect(wrapper.get('[data-testid="secret-STRIPE_KEY"]').text()).toContain("charge.ts"),
    );
    expect(wrapper.text()).toContain("Referenced but not set");
    expect(wrapper.text()).toContain("SMTP_PASSWORD");
  });

  it("'Mine' lists the user's own secrets without a Reveal button", async () => {
    const { wrapper } = await mountView(SecretsView, "/secrets", seed());
    await wrapper
      .findAll("button")
      .find((b) => b.text() === "Mine")!
      .trigger("click");
    const row = wrapper.get('[data-testid="secret-MY_TOKEN"]');
    expect(row.text()).toContain("••••••••");
    expect(row.findAll("button").map((b) => b.text())).not.toContain("Reveal");
    expect(wrapper.find('[data-testid="secret-STRIPE_KEY"]').exists()).toBe(false);
  });

  it("adds a secret from the form and deletes one after confirming", async () => {
    const { server, wrapper } = await mountView(SecretsView, "/secrets", seed());
    await wrapper.get('[data-testid="secret-key"]').setValue("NEW_KEY");
    await wrapper.get('[data-testid="secret-value"]').setValue("new-value");
    await wrapper.get('[data-testid="secret-form"]').trigger("submit");
    await flushPromises();
    expect(wrapper.find('[data-testid="secret-NEW_KEY"]').exists()).toBe(true);
    expect(wrapper.html()).not.toContain("new-value");
    expect(server.state.systemSecrets.map((s) => s.key)).toContain("NEW_KEY");

    const confirm = stubConfirm(true);
    const row = wrapper.get('[data-testid="secret-NEW_KEY"]');
    await row
      .findAll("button")
      .find((b) => b.text() === "Delete")!
      .trigger("click");
    await flushPromises();
    expect(confirm).toHaveBeenCalledWith("Delete the secret NEW_KEY?");
    expect(wrapper.find('[data-testid="secret-NEW_KEY"]').exists()).toBe(false);
  });

  it("shows why a secret could not be deleted, and keeps listing it", async () => {
    const { wrapper } = await mountView(SecretsView, "/secrets", {
      ...seed(),
      failures: {
        "DELETE /api/v1/admin/settings/custom/secret/STRIPE_KEY": {
          status: 403,
          error: "admin role required",
        },
      },
    });
    stubConfirm(true);
    await wrapper
      .get('[data-testid="secret-STRIPE_KEY"]')
      .findAll("button")
      .find((b) => b.text() === "Delete")!
      .trigger("click");
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe("admin role required");
    expect(wrapper.find('[data-testid="secret-STRIPE_KEY"]').exists()).toBe(true);
  });
});

describe("UsersView", () => {
  it("lists users and creates one from the form", async () => {
    const { server, wrapper } = await mountView(UsersView, "/users", {
      users: [makeUser({ email: "admin@example.com", role: "admin" })],
    });
    expect(wrapper.get('[data-testid="user-admin@example.com"]').text()).toContain(
      "admin@example.com",
    );
    const submit = wrapper.get('button[type="submit"]');
    expect((submit.element as HTMLButtonElement).disabled).toBe(true);

    await wrapper.get('[data-testid="user-email"]').setValue("tester@example.com");
    await wrapper.get('[data-testid="user-password"]').setValue("long-enough-1");
    await wrapper.get('[data-testid="user-role"]').setValue("dashboard_admin");
    expect(submit.attributes("disabled")).toBeUndefined();
    await wrapper.get('[data-testid="user-form"]').trigger("submit");
    await flushPromises();

    expect(server.calls("POST", "/api/v1/admin/users")[0]?.json).toEqual({
      email: "tester@example.com",
      password: "long-enough-1",
      role: "dashboard_admin",
    });
    const row = wrapper.get('[data-testid="user-tester@example.com"]');
    expect((row.get("select").element as HTMLSelectElement).value).toBe("dashboard_admin");
    expect((wrapper.get('[data-testid="user-email"]').element as HTMLInputElement).value).toBe("");
  });

  it("shows why a user could not be created", async () => {
    const { wrapper } = await mountView(UsersView, "/users", {
      users: [makeUser({ email: "dup@example.com" })],
    });
    await wrapper.get('[data-testid="user-email"]').setValue("dup@example.com");
    await wrapper.get('[data-testid="user-password"]').setValue("long-enough-1");
    await wrapper.get('[data-testid="user-form"]').trigger("submit");
    await flushPromises();
    expect(wrapper.get(".bad").text()).toBe("A user with this email already exists");
  });

  it("deletes a user only after confirming", async () => {
    const bob = makeUser({ email: "bob@example.com" });
    const { server, wrapper } = await mountView(UsersView, "/users", { users: [bob] });
    const confirm = stubConfirm(false);
    await wrapper.get('[data-testid="user-bob@example.com"] button.danger').trigger("click");
    await flushPromises();
    expect(confirm).toHaveBeenCalledWith("Delete the user bob@example.com?");
    expect(server.calls("DELETE", `/api/v1/admin/users/${bob.id}`)).toHaveLength(0);

    confirm.mockReturnValue(true);
    await wrapper.get('[data-testid="user-bob@example.com"] button.danger').trigger("click");
    await flushPromises();
    expect(wrapper.find('[data-testid="user-bob@example.com"]').exists()).toBe(false);
  });
});

describe("SchedulesView", () => {
  it("explains how to add a schedule when there is none", async () => {
    const { wrapper } = await mountView(SchedulesView, "/schedules");
    expect(wrapper.text()).toContain("No scheduled functions");
    expect(wrapper.text()).toContain("@fluxbase:schedule");
  });

  it("when the schedules cannot be read, says why instead of saying there are none", async () => {
    const { wrapper } = await mountView(SchedulesView, "/schedules", {
      failures: { "GET /api/v1/admin/jobs/schedules": { status: 500, error: "scheduler offline" } },
    });
    expect(wrapper.get('[role="alert"]').text()).toBe("scheduler offline");
    expect(wrapper.text()).not.toContain("No scheduled functions");
  });

  it("shows why Run now was refused", async () => {
    const { server, wrapper } = await mountView(SchedulesView, "/schedules", {
      schedules: [makeSchedule("nightly-report")],
      failures: {
        "POST /api/v1/admin/jobs/schedules/default/nightly-report/trigger": {
          status: 409,
          error: "nightly-report is already running",
        },
      },
    });
    await wrapper
      .get('[data-testid="schedule-nightly-report"]')
      .findAll("button")
      .find((b) => b.text() === "Run now")!
      .trigger("click");
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe("nightly-report is already running");
    expect(server.state.jobs).toHaveLength(0);
  });

  it("shows each schedule's plan and runs, pauses, resumes and runs now", async () => {
    const { server, wrapper } = await mountView(SchedulesView, "/schedules", {
      schedules: [makeSchedule("nightly-report")],
    });
    const row = () => wrapper.get('[data-testid="schedule-nightly-report"]');
    expect(row().text()).toContain("default/nightly-report");
    expect(row().text()).toContain("0 2 * * *");
    expect(row().text()).toContain("never ran");

    await row()
      .findAll("button")
      .find((b) => b.text() === "Pause")!
      .trigger("click");
    await flushPromises();
    expect(row().text()).toContain("paused");
    await row()
      .findAll("button")
      .find((b) => b.text() === "Resume")!
      .trigger("click");
    await flushPromises();
    expect(row().text()).not.toContain("paused");

    await row()
      .findAll("button")
      .find((b) => b.text() === "Run now")!
      .trigger("click");
    await flushPromises();
    expect(server.state.jobs).toHaveLength(1);
    expect(row().text()).not.toContain("never ran");
    expect(row().find(".status.pending").exists()).toBe(true);
  });
});

describe("LoginView", () => {
  it("signs in and goes to the page asked for", async () => {
    const { router, wrapper } = await mountView(
      LoginView,
      "/login?next=/workers",
      { accounts: { "ada@example.com": "correct horse" } },
      false,
    );
    await wrapper.get('input[type="email"]').setValue("ada@example.com");
    await wrapper.get('input[type="password"]').setValue("correct horse");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(router.currentRoute.value.path).toBe("/workers");
    expect(useSessionStore().user?.email).toBe("ada@example.com");
  });

  it("shows the server's message on a wrong password and stays", async () => {
    const { router, wrapper } = await mountView(
      LoginView,
      "/login",
      { accounts: { "ada@example.com": "correct horse" } },
      false,
    );
    await wrapper.get('input[type="email"]').setValue("ada@example.com");
    await wrapper.get('input[type="password"]').setValue("nope");
    await wrapper.get("form").trigger("submit");
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe("Invalid email or password");
    expect(router.currentRoute.value.path).toBe("/login");
    expect(wrapper.get('button[type="submit"]').attributes("disabled")).toBeUndefined();
  });

  it("an already signed-in user is sent on to /runs", async () => {
    const { router } = await mountView(LoginView, "/login");
    await flushPromises();
    expect(router.currentRoute.value.path).toBe("/runs");
  });
});

describe("accessibility", () => {
  /** Every input, select and textarea has a name: a label (for= or around it) or aria-label. */
  function unlabelled(root: HTMLElement): string[] {
    return [...root.querySelectorAll("input, select, textarea")]
      .filter((el) => {
        if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return false;
        if (el.closest("label")) return false;
        return !(el.id && root.ownerDocument.querySelector(`label[for="${el.id}"]`));
      })
      .map((el) => el.outerHTML.slice(0, 120));
  }

  it("labels every input of the views", async () => {
    const views: [Component, string][] = [
      [RunsView, "/runs"],
      [UsersView, "/users"],
      [SecretsView, "/secrets"],
      [LoginView, "/login"],
    ];
    for (const [view, path] of views) {
      const { wrapper } = await mountView(
        view,
        path,
        { jobs: [makeJob({ status: "failed" })] },
        path !== "/login",
      );
      expect(unlabelled(wrapper.element as HTMLElement), path).toEqual([]);
      wrapper.unmount();
    }
  });

  it("opens a run row with Enter", async () => {
    const job = makeJob({ status: "completed" });
    const { wrapper, router } = await mountView(RunsView, "/runs", { jobs: [job] });
    const row = wrapper.get(`[data-job-id="${job.id}"]`);
    expect(row.attributes("tabindex")).toBe("0");
    await row.trigger("keydown", { key: "Enter" });
    await flushPromises();
    expect(router.currentRoute.value.path).toBe(`/runs/${job.id}`);
  });
});
