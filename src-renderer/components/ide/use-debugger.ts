// A debug session seen from the IDE: its state long-polled from the server (each poll
// waits for the next change), and the commands that drive it.
import { onBeforeUnmount, ref, shallowRef } from "vue";
import {
  breakpointsBody,
  debugCall,
  type Breakpoint,
  type DebugState,
  type DebugVariable,
} from "../../lib/debug-api.ts";

export type DebugCommand = "resume" | "stepOver" | "stepInto" | "stepOut" | "pause";

export interface ConsoleEntry {
  expression: string;
  result: DebugVariable | null;
  error: string | null;
}

export function useDebugger() {
  const state = shallowRef<DebugState | null>(null);
  const error = ref<string | null>(null);
  const consoleEntries = ref<ConsoleEntry[]>([]);
  let controller: AbortController | null = null;

  function stop(): void {
    controller?.abort();
    controller = null;
  }

  async function follow(jobId: string, signal: AbortSignal): Promise<void> {
    let version = 0;
    while (!signal.aborted) {
      try {
        const next = await debugCall<DebugState>(`/${jobId}?after=${version}`, { signal });
        version = next.version;
        state.value = next;
        if (next.status === "ended" || next.status === "detached") return;
      } catch (err) {
        if (signal.aborted) return;
        error.value = (err as Error).message;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** Starts a debug run; resolves with its job id once the server has queued it. */
  async function start(body: {
    job_name: string;
    namespace?: string;
    payload: object;
    on_behalf_of?: { user_id: string };
    breakpoints: Breakpoint[];
  }): Promise<string | null> {
    stop();
    error.value = null;
    consoleEntries.value = [];
    try {
      const first = await debugCall<DebugState>("", {
        body: { ...body, breakpoints: breakpointsBody(body.breakpoints) },
      });
      state.value = first;
      controller = new AbortController();
      void follow(first.job_id, controller.signal);
      return first.job_id;
    } catch (err) {
      error.value = (err as Error).message;
      return null;
    }
  }

  async function command(name: DebugCommand): Promise<void> {
    if (!state.value) return;
    try {
      await debugCall(`/${state.value.job_id}/commands`, { body: { command: name } });
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  async function setBreakpoints(list: Breakpoint[]): Promise<void> {
    const s = state.value;
    if (!s || s.status === "ended" || s.status === "detached") return;
    try {
      state.value = await debugCall<DebugState>(`/${s.job_id}/breakpoints`, {
        method: "PUT",
        body: { breakpoints: breakpointsBody(list) },
      });
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  async function evaluate(expression: string, frame = 0): Promise<void> {
    if (!state.value || !expression.trim()) return;
    const entry: ConsoleEntry = { expression, result: null, error: null };
    try {
      entry.result = await debugCall<DebugVariable>(`/${state.value.job_id}/evaluate`, {
        body: { expression, frame },
      });
    } catch (err) {
      entry.error = (err as Error).message;
    }
    consoleEntries.value = [...consoleEntries.value, entry];
  }

  async function properties(objectId: string): Promise<DebugVariable[]> {
    if (!state.value) return [];
    const { properties } = await debugCall<{ properties: DebugVariable[] }>(
      `/${state.value.job_id}/properties?object_id=${encodeURIComponent(objectId)}`,
    );
    return properties;
  }

  async function detach(): Promise<void> {
    if (!state.value) return;
    try {
      state.value = await debugCall<DebugState>(`/${state.value.job_id}/detach`, { body: {} });
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  function clear(): void {
    stop();
    state.value = null;
    error.value = null;
    consoleEntries.value = [];
  }

  onBeforeUnmount(stop);
  return {
    state,
    error,
    consoleEntries,
    start,
    command,
    setBreakpoints,
    evaluate,
    properties,
    detach,
    clear,
  };
}
