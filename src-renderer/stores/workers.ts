// Workers and queue counts, polled every two seconds; throughput is computed from the
// change in completed/failed totals between polls (per second, last five minutes).
import { defineStore } from "pinia";
import { ref, shallowRef } from "vue";
import type { JobStats, WorkerInfo } from "../../src-sdk/index.ts";
import { api, errorText } from "../api.ts";

export const POLL_MS = 2000;
const WINDOW_MS = 5 * 60_000;

export interface ThroughputPoint {
  /** ms since the epoch, end of the interval. */
  t: number;
  completed: number;
  failed: number;
}

export const useWorkersStore = defineStore("workers", () => {
  const workers = ref<WorkerInfo[]>([]);
  const stats = ref<JobStats | null>(null);
  const points = shallowRef<ThroughputPoint[]>([]);
  const error = ref<string | null>(null);
  const loaded = ref(false);
  let last: { t: number; completed: number; failed: number } | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;

  function addSample(s: JobStats, t: number): void {
    if (last && t > last.t) {
      const dt = (t - last.t) / 1000;
      const point = {
        t,
        completed: Math.max(0, s.completed - last.completed) / dt,
        failed: Math.max(0, s.failed - last.failed) / dt,
      };
      points.value = [...points.value.filter((p) => p.t >= t - WINDOW_MS), point];
    }
    last = { t, completed: s.completed, failed: s.failed };
  }

  async function poll(): Promise<void> {
    const [w, s] = await Promise.all([api().admin.jobs.listWorkers(), api().admin.jobs.getStats()]);
    const err = w.error ?? s.error;
    error.value = err ? errorText(err) : null;
    if (w.data) workers.value = w.data;
    if (s.data) {
      stats.value = s.data;
      addSample(s.data, Date.now());
    }
    loaded.value = true;
  }

  function start(): void {
    if (timer) return;
    void poll();
    timer = setInterval(() => void poll(), POLL_MS);
  }

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return { workers, stats, points, error, loaded, start, stop, poll };
});
