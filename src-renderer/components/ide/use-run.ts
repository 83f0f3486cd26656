// One run from the IDE: submit (optionally as another user), then follow it — the row by
// polling, the log lines over realtime — until it ends.
import { onBeforeUnmount, ref, shallowRef } from "vue";
import type { ExecutionLogLine, Job, RealtimeChannel } from "../../../src-sdk/index.ts";
import { api } from "../../api.ts";

const DONE = new Set(["completed", "failed", "cancelled"]);

export function useRun() {
  const job = shallowRef<Job | null>(null);
  const logs = ref<ExecutionLogLine[]>([]);
  const error = ref<string | null>(null);
  let channel: RealtimeChannel | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function stop(): void {
    clearTimeout(timer);
    if (channel) void api().realtime.removeChannel(channel);
    channel = null;
  }

  function addLine(line: ExecutionLogLine): void {
    if (logs.value.some((l) => l.line_number === line.line_number)) return;
    logs.value = [...logs.value, line].sort((a, b) => a.line_number - b.line_number);
  }

  /** Every line so far (the socket can miss some, e.g. between attempts). */
  async function catchUp(id: string): Promise<void> {
    const { data: all } = await api().admin.jobs.getLogs(id);
    for (const entry of all ?? []) {
      addLine({
        execution_id: id,
        line_number: entry.line_number,
        level: entry.level,
        message: entry.message,
        timestamp: entry.timestamp,
      });
    }
  }

  async function poll(id: string): Promise<void> {
    const before = job.value;
    const { data } = await api().admin.jobs.getJob(id);
    if (data) job.value = data;
    if (data && DONE.has(data.status)) {
      await catchUp(id);
      stop();
      return;
    }
    // A new attempt, or one that just ended: read its lines in full.
    if (data && (data.status !== before?.status || data.retry_count !== before?.retry_count))
      await catchUp(id);
    timer = setTimeout(() => void poll(id), 600);
  }

  async function start(
    name: string,
    namespace: string | undefined,
    payload: object,
    runAs: string | null,
    dryRun = false,
  ): Promise<void> {
    stop();
    job.value = null;
    logs.value = [];
    error.value = null;
    const options = {
      ...(namespace ? { namespace } : {}),
      ...(runAs ? { runAs } : {}),
      ...(dryRun ? { dryRun } : {}),
    };
    const res = await api().jobs.submit(name, payload, options);
    if (res.error) {
      error.value = res.error.message;
      return;
    }
    job.value = res.data;
    followJob(res.data.id);
  }

  function followJob(id: string): void {
    try {
      channel = api().realtime.executionLogs(id, addLine);
    } catch (err) {
      error.value = `live logs unavailable: ${(err as Error).message}`;
    }
    void poll(id);
  }

  /** Follows a run started elsewhere (a debug run). */
  function watchJob(id: string): void {
    stop();
    job.value = null;
    logs.value = [];
    error.value = null;
    followJob(id);
  }

  /** Forgets the run shown (it goes on on the server). */
  function clear(): void {
    stop();
    job.value = null;
    logs.value = [];
    error.value = null;
  }

  async function cancel(): Promise<void> {
    if (job.value) await api().admin.jobs.cancel(job.value.id);
  }

  onBeforeUnmount(stop);
  return { job, logs, error, start, watchJob, cancel, clear };
}
