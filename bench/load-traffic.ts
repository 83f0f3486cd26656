// The HTTP side of bench/load.ts, in its own process so the clients' work does not share
// an event loop with the server: `submitters` loops submitting jobs back to back (with an
// optional pause), and two probes at a fixed rate, GET /health and one submit, whose
// latencies are what the benchmark reports. Bounded: everything stops after `seconds`.
// Requests go over keep-alive node:http connections (submit-request.ts): fetch cost the
// submitters ~0.85 ms of CPU a submit, taken from the server's two cores.
import { percentile, sleep } from "./stats.ts";
import { keepAliveClient, type HttpAnswer, type HttpCall } from "./submit-request.ts";

export interface TrafficCommand {
  type: "run";
  url: string;
  jobName: string;
  seconds: number;
  /** One token per submitter loop (none: probes only). */
  submitterTokens: string[];
  /** Pause of each submitter between its submits. */
  pauseMs: number;
  probeToken: string;
  healthPerSecond: number;
  submitPerSecond: number;
}

export interface LatencyFigures {
  count: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface TrafficFigures {
  health: LatencyFigures;
  submitProbe: LatencyFigures;
  /** Every submit of the submitter loops. */
  submitters: LatencyFigures;
  /** The ids of the jobs every submit created. */
  jobIds: string[];
}

function figures(latencies: number[], errors: number): LatencyFigures {
  return {
    count: latencies.length,
    errors,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
  };
}

interface Recorder {
  latencies: number[];
  errors: number;
}

async function timed(
  recorder: Recorder,
  call: () => Promise<HttpAnswer>,
  ok: number,
  ids?: string[],
) {
  const t = performance.now();
  try {
    const res = await call();
    if (res.status !== ok) {
      recorder.errors++;
      return;
    }
    recorder.latencies.push(performance.now() - t);
    if (ids) ids.push((JSON.parse(res.body) as { id: string }).id);
  } catch {
    recorder.errors++;
  }
}

/** Calls `fn` every 1000/perSecond ms until `until`, without waiting for earlier calls. */
async function probe(perSecond: number, until: number, fn: () => Promise<void>) {
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; perSecond > 0; i++) {
    const due = start + (i * 1000) / perSecond;
    if (due >= until) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(fn());
  }
  await Promise.all(pending);
}

async function run(command: TrafficCommand): Promise<TrafficFigures> {
  const client = keepAliveClient(command.url);
  const healthCall: HttpCall = { method: "GET", path: "/health" };
  // A fresh process's first request loads the HTTP client: not the server's time.
  await client.request(healthCall).catch(() => undefined);
  const until = performance.now() + command.seconds * 1000;
  const submit = (token: string) => () =>
    client.request({
      method: "POST",
      path: "/api/v1/jobs/submit",
      headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ job_name: command.jobName, payload: { at: Date.now() } }),
    });
  const health: Recorder = { latencies: [], errors: 0 };
  const submitProbe: Recorder = { latencies: [], errors: 0 };
  const submitters: Recorder = { latencies: [], errors: 0 };
  const jobIds: string[] = [];

  const loops = command.submitterTokens.map(async (token) => {
    while (performance.now() < until) {
      await timed(submitters, submit(token), 201, jobIds);
      if (command.pauseMs > 0) await sleep(command.pauseMs);
    }
  });
  await Promise.all([
    ...loops,
    probe(command.healthPerSecond, until, () =>
      timed(health, () => client.request(healthCall), 200),
    ),
    probe(command.submitPerSecond, until, () =>
      timed(submitProbe, submit(command.probeToken), 201, jobIds),
    ),
  ]);
  client.close();
  return {
    health: figures(health.latencies, health.errors),
    submitProbe: figures(submitProbe.latencies, submitProbe.errors),
    submitters: figures(submitters.latencies, submitters.errors),
    jobIds,
  };
}

process.on("message", (command: TrafficCommand | { type: "stop" }) => {
  if (command.type === "stop") process.exit(0);
  void run(command).then((result) => process.send!({ type: "figures", figures: result }));
});
