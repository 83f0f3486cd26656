// The Job IDE's state: the jobs folder's files, the open files as tabs (each with its own
// unsaved text), and the functions the server loaded from them. Every read and write goes
// through the SDK.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import type {
  FluxbaseClient,
  JobFileEntry,
  JobFunction,
  JobFunctionSummary,
} from "../../src-sdk/index.ts";
import { api } from "../api.ts";
import { buildFileTree } from "../lib/file-tree.ts";
import { buildErrorIn, jobFileRole } from "../lib/job-files.ts";

function unwrap<T>(res: { data: T | null; error: Error | null }): T {
  if (res.error) throw res.error;
  return res.data as T;
}

export interface EditorTab {
  path: string;
  /** The text on disk when last read or saved. */
  savedText: string;
  /** The text in the editor. */
  text: string;
  /** When this tab was last saved (ms), 0 when not since it was opened. */
  savedAt?: number;
}

/** Why Run refused: a message, and the line of the open file it is about (when known). */
export interface RunRefusal {
  error: string;
  line?: number;
}

export interface IdeStoreOptions {
  /** How long Run waits for the server to load a saved file. */
  loadTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const useIdeStore = defineStore("ide", () => {
  const client = (): FluxbaseClient => api();
  const options: Required<IdeStoreOptions> = { loadTimeoutMs: 20_000 };
  const entries = ref<JobFileEntry[]>([]);
  const functions = ref<JobFunctionSummary[]>([]);
  const tabs = ref<EditorTab[]>([]);
  const openPath = ref<string | null>(null);
  const error = ref<string | null>(null);
  const busy = ref(false);

  const tree = computed(() => buildFileTree(entries.value));
  const filePaths = computed(() =>
    entries.value.filter((e) => e.type === "file").map((e) => e.path),
  );
  const active = computed(() => tabs.value.find((t) => t.path === openPath.value) ?? null);
  /** The open tab's text; writing it edits that tab only. */
  const text = computed({
    get: () => active.value?.text ?? "",
    set: (value: string) => {
      if (active.value) active.value.text = value;
    },
  });
  const savedText = computed(() => active.value?.savedText ?? "");
  const dirty = computed(() => !!active.value && active.value.text !== active.value.savedText);
  const dirtyPaths = computed(() =>
    tabs.value.filter((t) => t.text !== t.savedText).map((t) => t.path),
  );
  /** What the open file is to the loader: a job's entry, a job's module, or no job (and why). */
  const openRole = computed(() =>
    openPath.value ? jobFileRole(openPath.value, filePaths.value) : null,
  );
  /** The function the open file belongs to, if the server has loaded it. */
  const openFunction = computed(() => {
    const role = openRole.value;
    return role && role.kind !== "none"
      ? (functions.value.find((f) => f.name === role.name) ?? null)
      : null;
  });

  function configure(next: IdeStoreOptions): void {
    Object.assign(options, next);
  }

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

  /** Shows a file: its tab when open (with its unsaved text), else reads it into a new tab. */
  async function open(path: string): Promise<void> {
    if (tabs.value.some((t) => t.path === path)) {
      openPath.value = path;
      return;
    }
    await run(async () => {
      const file = unwrap(await client().admin.files.readFile(path));
      tabs.value.push({ path: file.path, savedText: file.content, text: file.content });
      openPath.value = file.path;
    });
  }

  /**
   * Closes a tab. A tab with unsaved text stays open unless `discard` is set: the view asks
   * first. Returns whether it closed.
   */
  function close(path: string, { discard = false } = {}): boolean {
    const index = tabs.value.findIndex((t) => t.path === path);
    const tab = tabs.value[index];
    if (!tab) return true;
    if (tab.text !== tab.savedText && !discard) return false;
    tabs.value.splice(index, 1);
    if (openPath.value === path)
      openPath.value = tabs.value[Math.min(index, tabs.value.length - 1)]?.path ?? null;
    return true;
  }

  async function save(path: string | null = openPath.value): Promise<boolean> {
    const tab = tabs.value.find((t) => t.path === path);
    if (!tab) return false;
    const content = tab.text;
    const done = await run(async () => {
      unwrap(await client().admin.files.writeFile(tab.path, content));
      tab.savedText = content;
      tab.savedAt = Date.now();
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
    if (!error.value) {
      const tab = tabs.value.find((t) => t.path === from);
      if (tab) tab.path = to;
      if (openPath.value === from) openPath.value = to;
    }
    await refresh();
  }

  async function remove(path: string): Promise<void> {
    await run(async () => unwrap(await client().admin.files.deleteFile(path)));
    if (!error.value) close(path, { discard: true });
    await refresh();
  }

  /**
   * The function as the server loaded it once it reflects `source` (an entry's saved text;
   * null for a module: any reload since `since`), or once it failed to build. `since` 0: no
   * save just happened, so what is loaded now is the answer. Null on timeout.
   */
  async function loadedFunction(
    name: string,
    namespace: string,
    source: string | null,
    since: number,
  ): Promise<JobFunction | null> {
    const deadline = Date.now() + options.loadTimeoutMs;
    // The watcher reloads within about a second; a failed build leaves the old code and time.
    const settled = () => since === 0 || Date.now() - since > 3000;
    for (;;) {
      const { data } = await client().admin.jobs.getFunction(namespace, name);
      if (data) {
        if (source !== null && data.original_code === source) return data;
        if (source === null && (settled() || Date.parse(data.updated_at) >= since - 1000))
          return data;
        if (data.bundle_error && /Bundle failed/.test(data.bundle_error) && settled()) return data;
      }
      if (Date.now() > deadline) return null;
      await sleep(300);
    }
  }

  /**
   * Gets the open file ready to run what is on screen: refuses when it does not build
   * (with the line), saves unsaved text, and waits until the server has loaded it.
   */
  async function prepareRun(): Promise<
    { ok: true; name: string; namespace: string } | ({ ok: false } & RunRefusal)
  > {
    const tab = active.value;
    const role = openRole.value;
    if (!tab || !role) return { ok: false, error: "Open a job's file to run it." };
    if (role.kind === "none") return { ok: false, error: role.reason };
    const check = await client().admin.jobs.checkFile(tab.text, {
      fileName: tab.path,
      entry: role.kind === "entry",
    });
    const broken = check.data?.build_errors[0];
    if (broken) {
      return {
        ok: false,
        line: broken.line,
        error: `Does not build: ${tab.path}:${broken.line}:${broken.column}: ${broken.message}`,
      };
    }
    const namespace = openFunction.value?.namespace ?? "default";
    const wasDirty = tab.text !== tab.savedText;
    if (wasDirty && !(await save(tab.path)))
      return { ok: false, error: error.value ?? "Could not save the file." };
    // Just saved (now or a moment ago): wait for the reload; else what is loaded is the answer.
    const since = tab.savedAt && Date.now() - tab.savedAt < 5000 ? tab.savedAt : 0;
    const fn = await loadedFunction(
      role.name,
      namespace,
      role.kind === "entry" ? tab.savedText : null,
      since,
    );
    if (!fn)
      return {
        ok: false,
        error: `The server has not loaded ${tab.path} yet; try again in a moment.`,
      };
    if (fn.bundle_error && /Bundle failed/.test(fn.bundle_error)) {
      const at = buildErrorIn(fn.bundle_error, tab.path);
      return {
        ok: false,
        line: at?.line,
        error: `Does not build: ${fn.bundle_error.replace(/^Bundle failed:\s*/, "")}`,
      };
    }
    if (!fn.code)
      return {
        ok: false,
        error: `${role.name} has no code to run${fn.bundle_error ? `: ${fn.bundle_error}` : ""}`,
      };
    return { ok: true, name: fn.name, namespace: fn.namespace };
  }

  return {
    entries,
    functions,
    tree,
    tabs,
    openPath,
    text,
    savedText,
    dirty,
    dirtyPaths,
    openRole,
    openFunction,
    error,
    busy,
    configure,
    refresh,
    open,
    close,
    save,
    create,
    rename,
    remove,
    prepareRun,
  };
});
