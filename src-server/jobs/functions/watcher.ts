// Live reload of the jobs folder: a change under it (debounced) re-runs loadJobsDir, so a
// saved file is the function's next version within a second. Reloads never overlap; a
// change during a reload schedules one more. fs.watch (recursive) is the trigger; a cheap
// fingerprint of the folder (paths, sizes, mtimes) polled on a timer catches what the
// watcher misses, and is the only trigger when watching fails (or the folder is missing).
// Jobs already running keep the code they were claimed with (the sandbox imports code
// by content hash), so a reload never changes a running job.
import { watch, type FSWatcher } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Db } from "../../db/connections.ts";
import type { Logger } from "../../logger.ts";
import type { AnnotationDefaults } from "./annotations.ts";
import { loadJobsDir, type LoadJobsResult } from "./loader.ts";

export interface JobsWatcherOptions {
  db: Db;
  dir: string;
  namespace?: string;
  config: AnnotationDefaults;
  logger: Logger;
  debounceMs?: number;
  /** Fingerprint polling while fs.watch works (safety net) and when it does not. */
  pollMs?: number;
  fallbackPollMs?: number;
  onReload?: (result: LoadJobsResult) => void;
}

export interface JobsWatcher {
  /** Reloads now (after any reload in progress). */
  reload(): Promise<LoadJobsResult | undefined>;
  close(): Promise<void>;
}

/** Paths, sizes and mtimes of everything under `dir`; "" when it does not exist. */
export async function fingerprintDir(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const full = path.join(folder, e.name);
      if (e.isDirectory()) await walk(full, `${prefix}${e.name}/`);
      else {
        const st = await fs.stat(full).catch(() => undefined);
        if (st) parts.push(`${prefix}${e.name}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  await walk(dir, "");
  return parts.join("\n");
}

function describe(r: LoadJobsResult): string {
  const counts = (["created", "updated", "deleted"] as const)
    .filter((k) => r[k].length)
    .map((k) => `${k} ${r[k].join(", ")}`);
  return counts.join("; ");
}

export function createJobsWatcher(options: JobsWatcherOptions): JobsWatcher {
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 150;
  let closed = false;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let running: Promise<LoadJobsResult | undefined> = Promise.resolve(undefined);
  let pending = false;
  let fingerprint: string | undefined;

  const runOnce = async (): Promise<LoadJobsResult | undefined> => {
    if (closed) return undefined;
    fingerprint = await fingerprintDir(options.dir);
    try {
      const result = await loadJobsDir({
        db: options.db,
        dir: options.dir,
        namespace: options.namespace,
        config: options.config,
        logger,
      });
      const changes = describe(result);
      if (changes) logger.info(`jobs reloaded: ${changes}`);
      options.onReload?.(result);
      return result;
    } catch (err) {
      if (!closed) logger.warn("jobs reload failed", { error: (err as Error).message });
      return undefined;
    }
  };

  const reload = (): Promise<LoadJobsResult | undefined> => {
    if (pending) return running;
    pending = true;
    running = running.then(() => {
      pending = false;
      return runOnce();
    });
    return running;
  };

  const schedule = () => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void reload(), debounceMs);
  };

  const startPolling = (intervalMs: number) => {
    clearInterval(poll);
    poll = setInterval(() => {
      if (pending || closed) return;
      void fingerprintDir(options.dir).then((current) => {
        if (fingerprint !== undefined && current !== fingerprint) schedule();
      });
    }, intervalMs);
    poll.unref();
  };

  const startWatching = () => {
    try {
      watcher = watch(options.dir, { recursive: true, persistent: false }, () => schedule());
      watcher.on("error", (err) => {
        logger.warn("jobs folder watch failed; rescanning periodically", { error: err.message });
        watcher?.close();
        watcher = undefined;
        startPolling(options.fallbackPollMs ?? 500);
      });
      startPolling(options.pollMs ?? 2000);
    } catch (err) {
      logger.debug(
        `cannot watch ${options.dir} (${(err as Error).message}); rescanning periodically`,
      );
      startPolling(options.fallbackPollMs ?? 500);
    }
  };

  void fingerprintDir(options.dir).then((f) => {
    fingerprint ??= f;
  });
  startWatching();

  return {
    reload,
    async close() {
      closed = true;
      clearTimeout(debounce);
      clearInterval(poll);
      watcher?.close();
      await running;
    },
  };
}
