// Scheduled functions: their plan (from the server), their last runs, pause/resume/run now.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { Job, ScheduleInfo } from "../../src-sdk/index.ts";
import { api } from "../api.ts";

const key = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

export const useSchedulesStore = defineStore("schedules", () => {
  const schedules = ref<ScheduleInfo[]>([]);
  const lastRuns = ref<Record<string, Job[]>>({});
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    error.value = null;
    const { data, error: err } = await api().admin.jobs.listSchedules();
    loading.value = false;
    if (err) {
      error.value = err.message;
      return;
    }
    schedules.value = data;
    const runs = await Promise.all(
      data.map((s) =>
        api().admin.jobs.listJobs({ namespace: s.namespace, job_name: s.name, limit: 5 }),
      ),
    );
    lastRuns.value = Object.fromEntries(data.map((s, i) => [key(s), runs[i]?.data ?? []]));
  }

  async function act(s: ScheduleInfo, action: "pause" | "resume" | "trigger"): Promise<Job | null> {
    error.value = null;
    const client = api().admin.jobs;
    if (action === "trigger") {
      const res = await client.triggerSchedule(s.namespace, s.name);
      if (res.error) error.value = res.error.message;
      await refresh();
      return res.data;
    }
    const res =
      action === "pause"
        ? await client.pauseSchedule(s.namespace, s.name)
        : await client.resumeSchedule(s.namespace, s.name);
    if (res.error) error.value = res.error.message;
    else schedules.value = schedules.value.map((x) => (key(x) === key(s) ? res.data : x));
    return null;
  }

  const runsOf = (s: ScheduleInfo): Job[] => lastRuns.value[key(s)] ?? [];

  return { schedules, lastRuns, error, loading, refresh, act, runsOf };
});
