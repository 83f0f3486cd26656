// All jobs, live: a first load through admin.jobs.listJobs (pages of 1,000, up to 10,000),
// then realtime INSERT/UPDATE on jobs.queue merged once per animation frame.
import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, triggerRef } from "vue";
import {
  normalizeJob,
  type Job,
  type JobStatus,
  type RealtimeChannel,
} from "../../src-sdk/index.ts";
import { api, errorText } from "../api.ts";
import { useSessionStore } from "./session.ts";

export const MAX_LOADED = 10_000;
const ADMIN_ROLES = new Set(["admin", "dashboard_admin", "service_role"]);

function isAdmin(): boolean {
  return ADMIN_ROLES.has(useSessionStore().user?.role ?? "");
}
const PAGE = 1000;

/** Job calls for the signed-in role: admins use the admin routes, other users their own. */
export function jobCalls() {
  const admin = isAdmin();
  const client = api();
  return {
    admin,
    cancel: (id: string) => (admin ? client.admin.jobs.cancel(id) : client.jobs.cancel(id)),
    retry: (id: string) => (admin ? client.admin.jobs.retry(id) : client.jobs.retry(id)),
    getLogs: (id: string) => (admin ? client.admin.jobs.getLogs(id) : client.jobs.getLogs(id)),
  };
}

export interface RunFilters {
  status: JobStatus | "";
  jobName: string;
  namespace: string;
  email: string;
  /** Minutes back from now; 0 = any time. */
  sinceMinutes: number;
  /** Matched against id, name, email, error and the payload (when known). */
  search: string;
}

function matches(job: Job, f: RunFilters, since: number): boolean {
  if (f.status && job.status !== f.status) return false;
  if (f.jobName && job.job_name !== f.jobName) return false;
  if (f.namespace && job.namespace !== f.namespace) return false;
  if (f.email && !(job.user_email ?? "").toLowerCase().includes(f.email.toLowerCase()))
    return false;
  if (since && Date.parse(job.created_at) < since) return false;
  if (f.search) {
    const q = f.search.toLowerCase();
    const hay = [
      job.id,
      job.job_name,
      job.user_email,
      job.error_message,
      job.payload ? JSON.stringify(job.payload) : "",
    ];
    if (!hay.some((s) => s && s.toLowerCase().includes(q))) return false;
  }
  return true;
}

export const useRunsStore = defineStore("runs", () => {
  const jobs = shallowRef(new Map<string, Job>());
  const filters = reactive<RunFilters>({
    status: "",
    jobName: "",
    namespace: "",
    email: "",
    sinceMinutes: 0,
    search: "",
  });
  const total = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const live = ref(false);
  const now = ref(Date.now());
  let loadToken = 0;
  let channel: RealtimeChannel | null = null;
  let pending = new Map<string, Job>();
  let frame = 0;

  const filtered = computed<Job[]>(() => {
    const since = filters.sinceMinutes ? now.value - filters.sinceMinutes * 60_000 : 0;
    const list: Job[] = [];
    for (const job of jobs.value.values()) if (matches(job, filters, since)) list.push(job);
    return list.sort((a, b) =>
      a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0,
    );
  });
  const functionNames = computed(() =>
    [...new Set([...jobs.value.values()].map((j) => j.job_name))].sort(),
  );
  const namespaces = computed(() =>
    [...new Set([...jobs.value.values()].map((j) => j.namespace))].sort(),
  );

  function merge(job: Job): void {
    const old = jobs.value.get(job.id);
    // Lists leave payload/result out; keep what a detail fetch or an event brought.
    jobs.value.set(
      job.id,
      old
        ? { ...old, ...job, payload: job.payload ?? old.payload, result: job.result ?? old.result }
        : job,
    );
  }

  function flush(): void {
    frame = 0;
    for (const job of pending.values()) merge(job);
    pending = new Map();
    now.value = Date.now();
    triggerRef(jobs);
  }

  function queue(job: Job): void {
    pending.set(job.id, job);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  /** Loads from the server with the server-side filters (status, function, namespace). */
  async function load(): Promise<void> {
    const token = ++loadToken;
    loading.value = true;
    error.value = null;
    const next = new Map<string, Job>();
    try {
      for (let offset = 0; offset < MAX_LOADED; offset += PAGE) {
        const query = {
          status: filters.status || undefined,
          job_name: filters.jobName || undefined,
          namespace: filters.namespace || undefined,
          include_result: true,
          limit: PAGE,
          offset,
        };
        // Admins see every run; anyone else sees their own through the user endpoint.
        const { data, error: err } = isAdmin()
          ? await api().admin.jobs.listJobs(query)
          : await api().jobs.list(query);
        if (token !== loadToken) return;
        if (err) throw err;
        for (const job of data)
          next.set(job.id, jobs.value.get(job.id) ? { ...jobs.value.get(job.id)!, ...job } : job);
        jobs.value = next;
        now.value = Date.now();
        if (data.length < PAGE) break;
      }
      total.value = next.size;
    } catch (err) {
      error.value = errorText(err);
    } finally {
      if (token === loadToken) loading.value = false;
    }
  }

  function subscribe(): void {
    if (channel) return;
    const onChange = (payload: { new: unknown }) => queue(normalizeJob(payload.new));
    channel = api()
      .realtime.channel("table:jobs.queue")
      .on("INSERT", onChange)
      .on("UPDATE", onChange)
      .subscribe((status, err) => {
        live.value = status === "SUBSCRIBED";
        if (status === "CHANNEL_ERROR")
          error.value = `Live updates: ${err?.message ?? "connection failed"}`;
      });
  }

  function unsubscribe(): void {
    void channel?.unsubscribe();
    channel = null;
    live.value = false;
  }

  /** Fetches one job in full (payload and result) into the store. */
  async function refresh(id: string): Promise<Job | null> {
    const { data, error: err } = isAdmin()
      ? await api().admin.jobs.getJob(id)
      : await api().jobs.get(id);
    if (err) throw err;
    queue(data);
    return data;
  }

  return {
    jobs,
    filters,
    filtered,
    functionNames,
    namespaces,
    total,
    loading,
    error,
    live,
    now,
    load,
    subscribe,
    unsubscribe,
    refresh,
    queue,
  };
});
