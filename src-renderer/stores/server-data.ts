// What an admin page reads from the server (tables, users, schedules, secrets) with what the
// page shows around it: whether it is loading, and the last error. One rule for errors: a
// reload shows the load's own error, and an action's error is shown after the reload that
// follows the action, so that the reload cannot hide it.
import { ref, type Ref } from "vue";

/** What an SDK call answers: its data, or null and an error. */
export interface Answer<T> {
  data: T | null;
  error: { message: string } | null;
}

export interface ServerData<T> {
  data: Ref<T>;
  error: Ref<string | null>;
  loading: Ref<boolean>;
  /** Reads the data again; on a failure the data is empty and `error` says why. */
  refresh(): Promise<void>;
  /** After an action: reloads, then shows the action's error. True when the action worked. */
  settle(action: { error: { message: string } | null }): Promise<boolean>;
}

/** `empty()` is the data before the first load and after a failed one. */
export function useServerData<T>(empty: () => T, load: () => Promise<Answer<T>>): ServerData<T> {
  const data = ref(empty()) as Ref<T>;
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const answer = await load();
      data.value = answer.data ?? empty();
      error.value = answer.error?.message ?? null;
    } finally {
      loading.value = false;
    }
  }

  async function settle(action: { error: { message: string } | null }): Promise<boolean> {
    await refresh();
    if (action.error) error.value = action.error.message;
    return !action.error;
  }

  return { data, error, loading, refresh, settle };
}
