// The subscribers of bench/realtime.ts, in their own process (forked with IPC) so their
// JSON parsing does not share an event loop with the server: one SDK channel per socket
// on table:jobs.queue, recording per socket which (job, progress message) pairs arrived
// and how long after the database commit each callback ran.
import { WebSocket } from "ws";
import { createClient } from "../src-sdk/index.ts";
import { percentile, wallClock } from "./stats.ts";

export interface ConnectCommand {
  type: "connect";
  url: string;
  anonKey: string;
  /** One socket per owner token, then `admins` sockets with the service key. */
  owners: string[];
  serviceKey: string;
  admins: number;
}

/** Expected keys: per job id, the progress messages written (undefined: learn from admins). */
export interface ReportCommand {
  type: "report";
  /** The job id each owner socket's user owns (by owner index), or null. */
  owners: (string | null)[];
  expected?: Record<string, string[]>;
}

export type ClientCommand =
  ConnectCommand | ReportCommand | { type: "reset" } | { type: "count" } | { type: "stop" };

export interface ClientFigures {
  received: number;
  unique: number;
  duplicated: number;
  lost: number;
  /** Distinct (job, progress) pairs that should have been delivered (to admins). */
  expectedKeys: number;
  /** Changes of other users' jobs seen by owner sockets (must be 0). */
  leaked: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  firstAt: number;
  lastAt: number;
  reconnects: number;
  /** CPU seconds this process used since the last reset. */
  cpuSeconds: number;
}

interface Socket {
  owner: string | null;
  /** job id -> progress messages received (a repeat is a duplicate). */
  seen: Map<string, Set<string>>;
  duplicated: number;
  subscribedTimes: number;
  /** subscribedTimes at the last reset: more since then are reconnects in this phase. */
  subscribedAtReset: number;
}

const sockets: Socket[] = [];
let latencies: number[] = [];
let firstAt = 0;
let lastAt = 0;
let cpuAtReset = process.cpuUsage();

/** commit_timestamp with its microseconds ("…00.123456+00:00"), in epoch milliseconds. */
function commitMs(text: string): number {
  const micro = /\.\d{3}(\d{1,3})/.exec(text)?.[1] ?? "";
  return Date.parse(text) + Number(micro.padEnd(3, "0")) / 1000;
}

function open(command: ConnectCommand, token: string | null, owner: string | null): Promise<void> {
  const client = createClient(
    command.url,
    token ? { apiKey: token } : { serviceKey: command.serviceKey },
    { WebSocket },
  );
  const socket: Socket = {
    owner,
    seen: new Map(),
    duplicated: 0,
    subscribedTimes: 0,
    subscribedAtReset: 1,
  };
  sockets.push(socket);
  return new Promise((resolve) => {
    const channel = client.realtime.channel("table:jobs.queue").on("UPDATE", (payload) => {
      const now = wallClock();
      const job = payload.new;
      const progress = job.progress?.message;
      if (typeof progress !== "string" || !progress.startsWith("#")) return;
      // The completion may repeat the last progress written: the status tells them apart.
      const message = `${job.status}${progress}`;
      latencies.push(now - commitMs(payload.commit_timestamp));
      firstAt ||= now;
      lastAt = now;
      const seen = socket.seen.get(job.id) ?? new Set<string>();
      socket.seen.set(job.id, seen);
      if (seen.has(message)) socket.duplicated++;
      else seen.add(message);
    });
    channel.subscribe((status) => {
      if (status === "SUBSCRIBED" && ++socket.subscribedTimes === 1) resolve();
    });
  });
}

function report(command: ReportCommand): ClientFigures {
  // Without a list of writes, what any admin socket saw is what every admin socket should see.
  const expected = new Map<string, Set<string>>();
  if (command.expected) {
    for (const [id, messages] of Object.entries(command.expected))
      expected.set(id, new Set(messages));
  } else {
    for (const socket of sockets.filter((s) => s.owner === null)) {
      for (const [id, seen] of socket.seen)
        expected.set(id, new Set([...(expected.get(id) ?? []), ...seen]));
    }
  }
  let received = 0;
  let unique = 0;
  let duplicated = 0;
  let lost = 0;
  let leaked = 0;
  for (const socket of sockets) {
    const own = socket.owner === null ? undefined : command.owners[Number(socket.owner)];
    duplicated += socket.duplicated;
    for (const [id, seen] of socket.seen) {
      unique += seen.size;
      if (own !== undefined && id !== own) leaked += seen.size;
    }
    received += socket.duplicated;
    for (const [id, want] of expected) {
      if (own !== undefined && own !== id) continue;
      const seen = socket.seen.get(id);
      for (const m of want) if (!seen?.has(m)) lost++;
    }
  }
  received += unique;
  const reconnects = sockets.reduce((n, s) => n + s.subscribedTimes - s.subscribedAtReset, 0);
  const cpu = process.cpuUsage(cpuAtReset);
  return {
    received,
    unique,
    duplicated,
    lost,
    leaked,
    reconnects,
    expectedKeys: [...expected.values()].reduce((n, set) => n + set.size, 0),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    firstAt,
    lastAt,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
  };
}

process.on("message", (command: ClientCommand) => {
  const reply = (message: unknown) => process.send!(message);
  if (command.type === "connect") {
    const opening = [
      ...command.owners.map((token, i) => open(command, token, String(i))),
      ...Array.from({ length: command.admins }, () => open(command, null, null)),
    ];
    void Promise.all(opening).then(() => reply({ type: "ready" }));
  } else if (command.type === "reset") {
    for (const s of sockets) {
      s.seen.clear();
      s.duplicated = 0;
      s.subscribedAtReset = s.subscribedTimes;
    }
    latencies = [];
    firstAt = lastAt = 0;
    cpuAtReset = process.cpuUsage();
    reply({ type: "reset" });
  } else if (command.type === "count") {
    reply({ type: "count", received: latencies.length });
  } else if (command.type === "report") {
    reply({ type: "report", figures: report(command) });
  } else if (command.type === "stop") {
    // The sockets close with the process. (Unsubscribing a channel whose socket is still
    // connecting, after a drop under load, makes Node's ws emit an error nothing listens to.)
    process.exit(0);
  }
});
