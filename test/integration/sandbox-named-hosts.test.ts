// A host NAME in a function's allow list that resolves to a private address: the job
// reaches it on the named port (Deno checks the resolved address against the denied
// ranges, so the addresses are exempted), while the same name stays denied to a job that
// does not list it (a public-looking name resolving to a private address: DNS rebinding),
// and the address's other ports stay denied. The name is this machine's host name, which
// the system resolves to one of its own addresses; where it does not, the file is skipped.
import { lookup } from "node:dns/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { hostname, tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
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

const name = hostname().toLowerCase();
const resolved = await lookup(name, { family: 4 }).catch(() => undefined);
const privateV4 = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;
const usable = resolved !== undefined && privateV4.test(resolved.address) && name !== "localhost";

let cacheDir: string;
let runtime: DenoRuntime;
let api: TestServer;
const servers: Server[] = [];
const hits: number[] = [];
let ports: number[] = [];

async function listenOn(address: string, index: number): Promise<number> {
  const server = createServer((_req, res) => {
    hits[index] = (hits[index] ?? 0) + 1;
    res.end("named");
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  if (!usable) return;
  ports = [await listenOn(resolved.address, 0), await listenOn(resolved.address, 1)];
  cacheDir = mkdtempSync(path.join(tmpdir(), "fluxbase-named-hosts-"));
  runtime = createDenoRuntime({ cacheDir, warmProcessCount: 0 });
  api = await startTestServer();
});

afterAll(async () => {
  await runtime?.close();
  await api?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

async function fetchFrom(targets: string[], allowNetHosts?: string[]) {
  const code = `
    export async function handler() {
      const denied = (error) =>
        error.name === "NotCapable" || /Requires net access/.test(String(error.cause?.message ?? error.cause));
      const out = {};
      for (const target of ${JSON.stringify(targets)}) {
        try { out[target] = (await fetch("http://" + target + "/", { signal: AbortSignal.timeout(3000) })).status; }
        catch (error) { out[target] = denied(error) ? "denied" : error.name; }
      }
      return out;
    }`;
  const permissions = { ...DEFAULT_TEST_PERMISSIONS, ...(allowNetHosts ? { allowNetHosts } : {}) };
  const outcome = await startRun(runtime, jobSpec(code, api.url, { permissions })).done;
  expect(outcome.ok).toBe(true);
  return (outcome.ok ? outcome.result : {}) as Record<string, unknown>;
}

describe.skipIf(!usable)("a host name in allow-net", () => {
  it("is reachable on the named port when it resolves to a private address; its other ports are not", async () => {
    const named = `${name}:${ports[0]}`;
    const otherPort = `${name}:${ports[1]}`;
    const result = await fetchFrom([named, otherPort], [named]);
    expect(result).toEqual({ [named]: 200, [otherPort]: "denied" });
    expect(hits[1] ?? 0).toBe(0);
  });

  it("stays denied to a job that does not name it", async () => {
    const named = `${name}:${ports[0]}`;
    const before = hits[0] ?? 0;
    const result = await fetchFrom([named]);
    expect(result).toEqual({ [named]: "denied" });
    expect(hits[0] ?? 0).toBe(before);
  });
});
