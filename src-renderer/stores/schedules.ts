// Scheduled functions: their plan (from the server), their last runs, pause/resume/run now.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { Job, ScheduleInfo } from "../../src-sdk/index.ts";
import { api } from "../api.ts";
import { useServerData } from "./server-data.ts";

const key = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

export const useSchedulesStore = defineStore("schedules", () => {
  const lastRuns = ref<Record<string, Job[]>>({});
  const {
    data: schedules,
    error,
    loading,
    refresh,
    settle,
  } = useServerData<ScheduleInfo[]>(
    () => [],
    async () => {
      const answer = await api().admin.jobs.listSchedules();
      const listed = answer.data ?? [];
      const runs = await Promise.all(
        listed.map((s) =>
          api().admin.jobs.listJobs({ namespace: s.namespace, job_name: s.name, limit: 5 }),
        ),
      );
      lastRuns.value = Object.fromEntries(listed.map((s, i) => [key(s), runs[i]?.data ?? []]));
      return answer;
    },
  );

  async function act(s: ScheduleInfo, action: "pause" | "resume" | "trigger"): Promise<Job | null> {
    const client = api().admin.jobs;
    if (action === "trigger") {
      const res = await client.triggerSchedule(s.namespace, s.name);
      await settle(res);
      return res.data;
    }
    const res =
      action === "pause"
        ? await client.pauseSchedule(s.namespace, s.name)
        : await client.resumeSchedule(s.namespace, s.name);
    error.value = res.error?.message ?? null;
    if (res.data) {
      const changed = res.data;
      schedules.value = schedules.value.map((x) => (key(x) === key(s) ? changed : x));
    }
    return null;
  }

  const runsOf = (s: ScheduleInfo): Job[] => lastRuns.value[key(s)] ?? [];

  return { schedules, lastRuns, error, loading, refresh, act, runsOf };
});
