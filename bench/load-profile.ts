// Where the server's main thread spends its time under bench/load.ts (BENCH_LOAD_PROFILE=1):
// V8's sampling profiler on this thread (the server runs in the benchmark's process) for
// the load phase only, written as a .cpuprofile (open it in Chrome's DevTools) and
// summarised: the functions with the most self time, and the self time by area (a source
// file of the repository, an npm package, Node's internals, garbage collection). Times are
// wall time between samples: on a loaded machine a thread waiting for a core is charged
// to whatever it was running, so compare areas with each other, not with a clock. Areas
// under bench/ are the benchmark's own metering and the profiler's stop, after the phase.
import { Session, type Profiler } from "node:inspector";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fmt } from "./stats.ts";

export interface MainThreadProfile {
  /** Stops sampling and returns the profile. */
  stop(): Promise<Profiler.Profile>;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) =>
      error ? reject(error) : resolve(result as T),
    ),
  );
}

export async function startMainThreadProfile(intervalUs = 500): Promise<MainThreadProfile> {
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.setSamplingInterval", { interval: intervalUs });
  await post(session, "Profiler.start");
  return {
    async stop() {
      const { profile } = await post<{ profile: Profiler.Profile }>(session, "Profiler.stop");
      session.disconnect();
      return profile;
    },
  };
}

/** The code a frame belongs to: a repository file or an npm package; undefined for Node's own. */
function codeOf(url: string): string | undefined {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const repo = /\/((?:src-[a-z]+|bench|test)\/.*)$/.exec(url);
  return repo ? (repo[1] as string) : undefined;
}

/**
 * Self time (ms) by function and by area, heaviest first, idle left out. A function's area
 * is the nearest repository file or npm package on its stack (so a socket write counts
 * where it was asked for), or garbage collection, or "(Node)" when no code of ours called it.
 */
export function summariseProfile(profile: Profiler.Profile, top = 15): string {
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const areaById = new Map<number, string>();
  const visit = (node: Profiler.ProfileNode, inherited: string) => {
    const { functionName, url } = node.callFrame;
    const area = codeOf(url) ?? (functionName.startsWith("(") ? functionName : inherited);
    areaById.set(node.id, area);
    for (const child of node.children ?? []) {
      const next = byId.get(child);
      if (next) visit(next, area);
    }
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const children = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  for (const node of profile.nodes) if (!children.has(node.id)) visit(node, "(Node)");

  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busyUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (us === 0 || functionName === "(idle)") continue;
    busyUs += us;
    const area = areaById.get(node.id) ?? "(Node)";
    const where = url ? ` ${codeOf(url) ?? url}:${lineNumber + 1}` : ` (native, from ${area})`;
    const name = `${functionName || "(anonymous)"}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const heaviest = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `  ${fmt(us / 1000, 0).padStart(7)} ms  ${name}`)
      .join("\n");
  const spanMs = (profile.endTime - profile.startTime) / 1000;
  return (
    `main thread busy ${fmt(busyUs / 1000, 0)} ms of ${fmt(spanMs, 0)} ms sampled\n` +
    `self time by area:\n${heaviest(byArea)}\nself time by function:\n${heaviest(byFunction)}`
  );
}

/** Writes the profile beside the benchmark's other output; returns its path. */
export async function saveProfile(profile: Profiler.Profile, dir: string): Promise<string> {
  const file = path.join(dir, `bench-load-${Date.now()}.cpuprofile`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(profile));
  return file;
}
