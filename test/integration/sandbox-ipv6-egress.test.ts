// Private IPv6 destinations of other machines — unique-local (fc00::/7) and link-local
// (fe80::/10) — are not the internet: a job with the default allow_net must not reach
// them, though Deno cannot deny IPv6 ranges. "Another machine" is a network namespace
// joined to this one by a veth pair, with a TCP server in it; this needs root (to create
// the namespace, and because only a root server runs jobs as another user, whose
// connections the system's rules can hold). Elsewhere the file is skipped.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo, type Server } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDenoRuntime, type DenoRuntime } from "../../src-server/jobs/sandbox/index.ts";
import {
  DEFAULT_TEST_PERMISSIONS,
  jobSpec,
  startRun,
  startTestServer,
  type TestServer,
} from "./sandbox-harness.ts";
import { waitFor } from "../helpers/wait.ts";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasIp = isRoot && spawnSync("ip", ["-V"]).status === 0;

const tag = randomBytes(2).toString("hex");
const ns = `fbeg-${tag}`;
const hostIf = `fbeg${tag}a`;
const peerIf = `fbeg${tag}b`;
const ula = `fd5b:${tag}::2`;
const linkLocal = `fe80::5b:${tag}`;

let cacheDir: string;
let runtime: DenoRuntime;
let api: TestServer;
let peer: ChildProcess | undefined;
let peerOutput = "";
let ports: number[] = [];

function ip(...args: string[]): void {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr}`);
}

/** Connections the server in the namespace accepted so far. */
const accepted = () => peerOutput.split("\n").filter((line) => line === "accepted").length;

const PEER_SERVER = `
  const net = require("node:net");
  let listening = 0;
  const ports = [];
  for (let i = 0; i < 2; i++) {
    const server = net.createServer((socket) => { console.log("accepted"); socket.end("hello"); });
    server.listen(0, "::", () => {
      ports[i] = server.address().port;
      if (++listening === 2) console.log("ports " + ports.join(" "));
    });
  }`;

beforeAll(async () => {
  if (!hasIp) return;
  ip("netns", "add", ns);
  ip("link", "add", hostIf, "type", "veth", "peer", "name", peerIf, "netns", ns);
  ip("addr", "add", `fd5b:${tag}::1/64`, "dev", hostIf, "nodad");
  ip("addr", "add", `fe80::5b:1/64`, "dev", hostIf, "nodad");
  ip("link", "set", hostIf, "up");
  ip("-n", ns, "addr", "add", `${ula}/64`, "dev", peerIf, "nodad");
  ip("-n", ns, "addr", "add", `${linkLocal}/64`, "dev", peerIf, "nodad");
  ip("-n", ns, "link", "set", peerIf, "up");
  ip("-n", ns, "link", "set", "lo", "up");
  peer = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", PEER_SERVER], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  peer.stdout?.on("data", (chunk: Buffer) => (peerOutput += chunk.toString()));
  peer.stderr?.on("data", (chunk: Buffer) => (peerOutput += chunk.toString()));
  const line = await waitFor(() => /^ports (\d+) (\d+)$/m.exec(peerOutput) ?? undefined, {
    what: "the server in the namespace",
  });
  ports = [Number(line[1]), Number(line[2])];
  cacheDir = mkdtempSync(path.join(tmpdir(), "fluxbase-ipv6-egress-"));
  // Every job reads the machine's addresses afresh, so the gained-address test needs no wait
  // (the once-a-second reading itself is net-planner.test.ts's).
  runtime = createDenoRuntime({ cacheDir, warmProcessCount: 0, machineAddressTtlMs: 0 });
  api = await startTestServer();
});

afterAll(async () => {
  await runtime?.close();
  await api?.close();
  peer?.kill();
  if (hasIp) spawnSync("ip", ["netns", "del", ns]);
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

/** The job's view of each target: "connected", or the error's name. */
async function connectFrom(targets: string[], allowNetHosts?: string[]) {
  const code = `
    export async function handler() {
      const out = {};
      for (const target of ${JSON.stringify(targets)}) {
        const at = target.lastIndexOf(":");
        try {
          const conn = await Deno.connect({ hostname: target.slice(0, at), port: Number(target.slice(at + 1)) });
          conn.close();
          out[target] = "connected";
        } catch (error) {
          out[target] = error.name;
        }
      }
      return out;
    }`;
  const permissions = { ...DEFAULT_TEST_PERMISSIONS, ...(allowNetHosts ? { allowNetHosts } : {}) };
  const outcome = await startRun(runtime, jobSpec(code, api.url, { permissions })).done;
  expect(outcome.ok).toBe(true);
  return (outcome.ok ? outcome.result : {}) as Record<string, string>;
}

describe.skipIf(!hasIp)("private IPv6 egress", () => {
  it("a job with the default allow_net reaches no unique-local or link-local address of another machine", async () => {
    const targets = [`${ula}:${ports[0]}`, `${linkLocal}%${hostIf}:${ports[0]}`];
    const before = accepted();
    const result = await connectFrom(targets);
    for (const target of targets) expect(result[target]).not.toBe("connected");
    expect(accepted()).toBe(before);
  });

  it("a function naming one reaches it on that port only; other jobs still do not", async () => {
    const named = `${ula}:${ports[0]}`;
    const otherPort = `${ula}:${ports[1]}`;
    const before = accepted();
    const result = await connectFrom([named, otherPort], [`[${ula}]:${ports[0]}`]);
    expect(result[named]).toBe("connected");
    expect(result[otherPort]).not.toBe("connected");
    await waitFor(() => (accepted() === before + 1 ? true : undefined));

    const unnamed = await connectFrom([named]);
    expect(unnamed[named]).not.toBe("connected");
    expect(accepted()).toBe(before + 1);
  });

  it("an address this machine gains after the first job is denied too", async () => {
    const gained = `fd5b:${tag}::3`;
    ip("addr", "add", `${gained}/128`, "dev", hostIf, "nodad");
    let hits = 0;
    const server: Server = createServer((socket) => {
      hits += 1;
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(0, gained, resolve));
    try {
      const target = `${gained}:${(server.address() as AddressInfo).port}`;
      const result = await connectFrom([target]);
      expect(result[target]).not.toBe("connected");
      expect(hits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
