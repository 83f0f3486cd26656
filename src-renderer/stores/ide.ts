// The Job IDE's state: the jobs folder's files, the open file and its unsaved text, and
// the functions the server loaded from them. Every read and write goes through the SDK.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import type { FluxbaseClient, JobFileEntry, JobFunctionSummary } from "../../src-sdk/index.ts";
import { api } from "../api.ts";
import { buildFileTree, functionNameFor } from "../lib/file-tree.ts";

function unwrap<T>(res: { data: T | null; error: Error | null }): T {
  if (res.error) throw res.error;
  return res.data as T;
}

export const useIdeStore = defineStore("ide", () => {
  const client = (): FluxbaseClient => api();
  const entries = ref<JobFileEntry[]>([]);
  const functions = ref<JobFunctionSummary[]>([]);
  const openPath = ref<string | null>(null);
  const savedText = ref("");
  const text = ref("");
  const error = ref<string | null>(null);
  const busy = ref(false);

  const tree = computed(() => buildFileTree(entries.value));
  const dirty = computed(() => openPath.value !== null && text.value !== savedText.value);
  /** The function the open file belongs to (by name), if the server has loaded it. */
  const openFunction = computed(() => {
    const name = openPath.value ? functionNameFor(openPath.value) : null;
    return name ? (functions.value.find((f) => f.name === name) ?? null) : null;
  });

  async function run<T>(step: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    try {
      return await step();
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  async function refresh(): Promise<void> {
    await run(async () => {
      entries.value = unwrap(await client().admin.files.listFiles());
      functions.value = unwrap(await client().admin.jobs.listFunctions());
    });
  }

  async function open(path: string): Promise<void> {
    await run(async () => {
      const file = unwrap(await client().admin.files.readFile(path));
      openPath.value = file.path;
      savedText.value = file.content;
      text.value = file.content;
    });
  }

  async function save(): Promise<boolean> {
    const path = openPath.value;
    if (!path) return false;
    const content = text.value;
    const done = await run(async () => {
      unwrap(await client().admin.files.writeFile(path, content));
      savedText.value = content;
      return true;
    });
    if (done) setTimeout(() => void refresh(), 800); // the watcher reloads within a second
    return done ?? false;
  }

  async function create(path: string, content: string): Promise<void> {
    await run(async () => unwrap(await client().admin.files.writeFile(path, content)));
    await refresh();
    if (!error.value) await open(path);
  }

  async function rename(from: string, to: string): Promise<void> {
    await run(async () => unwrap(await client().admin.files.renameFile(from, to)));
    if (!error.value && openPath.value === from) openPath.value = to;
    await refresh();
  }

  async function remove(path: string): Promise<void> {
    await run(async () => unwrap(await client().admin.files.deleteFile(path)));
    if (!error.value && openPath.value === path) {
      openPath.value = null;
      text.value = savedText.value = "";
    }
    await refresh();
  }

  return {
    entries,
    functions,
    tree,
    openPath,
    text,
    savedText,
    dirty,
    openFunction,
    error,
    busy,
    refresh,
    open,
    save,
    create,
    rename,
    remove,
  };
});
