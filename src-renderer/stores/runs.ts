// The Runs list: one page of runs for the filters, read from the server (which searches,
// sorts and pages), then kept live from realtime INSERT/UPDATE on jobs.queue, merged once
// per animation frame. Full jobs (payload, result) are fetched per run on demand.
import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, triggerRef } from "vue";
import {
  normalizeJob,
  type Job,
  type JobAttempt,
  type RealtimeChannel,
} from "../../src-sdk/index.ts";
import { api, errorText } from "../api.ts";
import { markOffline } from "../lib/connection.ts";
import { isAdminRole } from "../../src-shared/roles.ts";
import {
  defaultFilters,
  fitsLocally,
  listRequest,
  PAGE_SIZE,
  type RunFilters,
} from "../lib/run-query.ts";
import { useSessionStore } from "./session.ts";

export { PAGE_SIZE, type RunFilters };
export function isAdmin(): boolean {
  return isAdminRole(useSessionStore().user?.role);
}

/** Job calls for the signed-in role: admins use the admin routes, other users their own. */
export function jobCalls() {
  const admin = isAdmin();
  const client = api();
  return {
    admin,
    cancel: (id: string) => (admin ? client.admin.jobs.cancel(id) : client.jobs.cancel(id)),
    retry: (id: string) => (admin ? client.admin.jobs.retry(id) : client.jobs.retry(id)),
    getLogs: (id: string) => (admin ? client.admin.jobs.getLogs(id) : client.jobs.getLogs(id)),
    getAttempts: (id: string) =>
      admin ? client.admin.jobs.getAttempts(id) : client.jobs.getAttempts(id),
  };
}

export type { JobAttempt };

export const useRunsStore = defineStore("runs", () => {
  const jobs = shallowRef(new Map<string, Job>());
  /** The current page's run ids in the server's order; live inserts are put in front. */
  const ids = shallowRef<string[]>([]);
  const filters = reactive<RunFilters>(defaultFilters());
  const total = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const live = ref(false);
  const now = ref(Date.now());
  /** Every defined function (admins) or those seen in runs, and the namespaces. */
  const knownFunctions = ref<string[]>([]);
  const knownNamespaces = ref<string[]>([]);
  let loadToken = 0;
  /**
   * Runs added at the head of the list by live events while the current load is in flight,
   * newest first: its page may have been read before they were committed, and must not
   * drop them.
   */
  let liveDuringLoad: string[] = [];
  let channel: RealtimeChannel | null = null;
  let pending = new Map<string, Job>();
  let frame = 0;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;

  const filtered = computed<Job[]>(() => {
    const list: Job[] = [];
    for (const id of ids.value) {
      const job = jobs.value.get(id);
      if (job && fitsLocally(job, filters, now.value)) list.push(job);
    }
    return list;
  });
  const functionNames = computed(() =>
    [...new Set([...knownFunctions.value, ...filtered.value.map((j) => j.job_name)])].sort(),
  );
  const namespaces = computed(() =>
    [...new Set([...knownNamespaces.value, ...filtered.value.map((j) => j.namespace)])].sort(),
  );
  const pages = computed(() => Math.max(1, Math.ceil(total.value / PAGE_SIZE)));

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

  /** Whether a new run belongs at the top of what is shown now. */
  function headOfList(job: Job): boolean {
    return (
      filters.page === 0 &&
      filters.sort === "created_at" &&
      filters.order === "desc" &&
      !filters.search.trim() &&
      fitsLocally(job, filters, Date.now())
    );
  }

  function flush(): void {
    frame = 0;
    const fresh: string[] = [];
    for (const job of pending.values()) {
      const known = jobs.value.has(job.id);
      merge(job);
      if (!known && headOfList(job)) fresh.push(job.id);
    }
    pending = new Map();
    if (fresh.length) {
      const shown = new Set(ids.value);
      const add = fresh.filter((id) => !shown.has(id)).reverse();
      ids.value = [...add, ...ids.value];
      total.value += add.length;
      if (loading.value) liveDuringLoad = [...add, ...liveDuringLoad];
    }
    now.value = Date.now();
    triggerRef(jobs);
  }

  function queue(job: Job): void {
    pending.set(job.id, job);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  /** Loads the current page for the filters from the server. */
  async function load(): Promise<void> {
    const token = ++loadToken;
    loading.value = true;
    liveDuringLoad = [];
    try {
      const query = { ...listRequest(filters, Date.now()), include_result: false };
      // Admins see every run; anyone else sees their own through the user endpoint.
      const { data, error: err } = isAdmin()
        ? await api().admin.jobs.listJobsPage(query)
        : await api().jobs.listPage(query);
      if (token !== loadToken) return;
      if (err) throw err;
      const next = new Map<string, Job>();
      for (const job of data.jobs) {
        const old = jobs.value.get(job.id);
        next.set(job.id, old ? { ...old, ...job, result: old.result } : job);
      }
      // Keep full copies of runs not on this page (an open deep link) only while small.
      for (const [id, job] of jobs.value)
        if (!next.has(id) && next.size < 20_000) next.set(id, job);
      jobs.value = next;
      const onPage = new Set(data.jobs.map((j) => j.id));
      const missed = liveDuringLoad.filter((id) => !onPage.has(id) && next.has(id));
      ids.value = [...missed, ...onPage];
      total.value = data.total + missed.length;
      error.value = null;
      loaded.value = true;
      now.value = Date.now();
    } catch (err) {
      if (token === loadToken) error.value = errorText(err);
    } finally {
      if (token === loadToken) loading.value = false;
    }
  }

  /** Reloads soon, once, however many times it is asked (live events under a search). */
  function reloadSoon(ms = 1500): void {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      void load();
    }, ms);
  }

  /** Names for the function and namespace filters: every defined one, for admins. */
  async function loadCatalogue(): Promise<void> {
    if (!isAdmin()) return;
    const [fns, nss] = await Promise.all([
      api().admin.jobs.listFunctions(),
      api().admin.jobs.listNamespaces(),
    ]);
    if (fns.data) knownFunctions.value = [...new Set(fns.data.map((f) => f.name))];
    if (nss.data) knownNamespaces.value = nss.data;
  }

  function subscribe(): void {
    if (channel) return;
    const onChange = (payload: { new: unknown }) => {
      const job = normalizeJob(payload.new);
      // A search matches on payload and result, which events leave out: ask the server.
      if (filters.search.trim() && !jobs.value.has(job.id)) reloadSoon();
      queue(job);
    };
    channel = api()
      .realtime.channel("table:jobs.queue")
      .on("INSERT", onChange)
      .on("UPDATE", onChange)
      .subscribe((status, err) => {
        live.value = status === "SUBSCRIBED";
        if (status === "SUBSCRIBED") {
          // Whatever happened before the subscription (the first load, or a drop) came
          // without events: read the page again now that nothing more can be missed.
          void load();
          if (error.value?.startsWith("Live updates:")) error.value = null;
        } else if (status === "CHANNEL_ERROR" && /reconnecting/.test(err?.message ?? "")) {
          markOffline();
        } else if (status === "CHANNEL_ERROR") {
          error.value = `Live updates: ${err?.message ?? "connection failed"}`;
        }
      });
  }

  function unsubscribe(): void {
    void channel?.unsubscribe();
    channel = null;
    live.value = false;
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = undefined;
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
    ids,
    filters,
    filtered,
    functionNames,
    namespaces,
    total,
    pages,
    loading,
    loaded,
    error,
    live,
    now,
    load,
    loadCatalogue,
    subscribe,
    unsubscribe,
    refresh,
    queue,
  };
});
