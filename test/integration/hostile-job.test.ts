// The attacks of issue 12 as an ordinary user's job run them against a real server: embedded
// PostgreSQL in its data dir, the HTTP API, the Deno sandbox. The job asks for everything an
// annotation can give (allow-read, allow-write, the default allow-net) and still reaches
// neither the database's port nor the server's files, in any spelling; the API it is given
// stays reachable. docs: README "Security model".
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { defaultServerConfig } from "../../src-server/config/index.ts";
import { silentLogger } from "../../src-server/logger.ts";
import { startLocalStack, type LocalStack } from "../../src-server/main.ts";
import { fastJobs, waitFor } from "../helpers/stack.ts";

const attack = `// @fluxbase:allow-read true
// @fluxbase:allow-write true
// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { dataDir, pgPort, apiPort } = job.getJobPayload();
  const denied = (error) =>
    error.name === "NotCapable" || error.name === "PermissionDenied" ||
    /Requires (net|read|write) access/.test(String(error.cause?.message ?? error.cause ?? error.message));
  const outcome = (error) => (denied(error) ? "denied" : error.name + ": " + error.message);
  const connect = async (hostname, port) => {
    try {
      const conn = await Deno.connect({ hostname, port });
      conn.close();
      return "connected";
    } catch (error) { return outcome(error); }
  };
  const get = async (url) => {
    try { return (await fetch(url, { signal: AbortSignal.timeout(3000) })).status; }
    catch (error) { return outcome(error); }
  };
  const attempt = (fn) => { try { fn(); return "done"; } catch (error) { return outcome(error); } };
  const net = {};
  for (const host of ["127.0.0.1", "2130706433", "0x7f000001", "localhost", "::ffff:127.0.0.1", "::1", "0.0.0.0"])
    net["postgres via " + host] = await connect(host, pgPort);
  net["postgres via http://2130706433"] = await get("http://2130706433:" + pgPort + "/");
  net["api via 0.0.0.0"] = await get("http://0.0.0.0:" + apiPort + "/health");
  net["api via localhost"] = await get("http://localhost:" + apiPort + "/health");
  net["cloud metadata"] = await get("http://169.254.169.254:80/latest/meta-data/");
  const files = {};
  for (const name of ["keys.json", "secrets.key", "postgres-credentials.json", "postgres"])
    files["read " + name] = attempt(() => Deno.readFileSync(dataDir + "/" + name));
  files["list data dir"] = attempt(() => [...Deno.readDirSync(dataDir)]);
  files["write data dir"] = attempt(() => Deno.writeTextFileSync(dataDir + "/planted", "x"));
  files["read /etc/shadow"] = attempt(() => Deno.readTextFileSync("/etc/shadow"));
  const link = Deno.makeTempDirSync() + "/keys";
  files["link to keys.json"] = attempt(() => Deno.symlinkSync(dataDir + "/keys.json", link));
  files["read through the link"] = attempt(() => Deno.readTextFileSync(link));
  return { api: await get(Deno.env.get("FLUXBASE_URL") + "/health"), net, files };
}
`;

let root: string;
let stack: LocalStack;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "fluxbase-hostile-"));
  const jobsDir = path.join(root, "jobs");
  await mkdir(jobsDir);
  await writeFile(path.join(jobsDir, "attack.ts"), attack);
  const defaults = defaultServerConfig(root);
  stack = await startLocalStack({
    config: {
      ...defaults,
      port: 0,
      dataDir: path.join(root, "data"),
      databaseUrl: undefined,
      logLevel: "silent",
      jobs: { ...defaults.jobs, ...fastJobs, embeddedWorkerCount: 1, jobsDir },
    },
    logger: silentLogger,
    rendererDir: false,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("an ordinary user's job with every annotation", () => {
  it("reaches the API it is given, but not the embedded PostgreSQL or the server's files", async () => {
    expect(stack.embedded).toBe(true);
    const dataDir = stack.config.dataDir;
    // The files the attack goes for are there, and the server can read them.
    for (const name of ["keys.json", "secrets.key", "postgres-credentials.json"])
      expect((await readFile(path.join(dataDir, name))).length).toBeGreaterThan(0);
    const pgPort = Number(new URL(stack.databaseUrl).port);
    const apiPort = Number(new URL(stack.url).port);

    const user = createClient(stack.url, { apiKey: stack.keys.anonKey });
    const { error: signUpError } = await user.auth.signUp({
      email: "mallory@example.com",
      password: "correct horse battery",
    });
    expect(signUpError).toBeNull();
    const { data: job, error } = await user.jobs.submit("attack", { dataDir, pgPort, apiPort });
    expect(error).toBeNull();
    const done = await waitFor(
      async () => {
        const { data } = await user.jobs.get(job!.id);
        return data && ["completed", "failed"].includes(data.status) ? data : undefined;
      },
      { timeoutMs: 60_000, what: "the attack job to finish" },
    );
    expect(done.error_message ?? null).toBeNull();
    const { api, net, files } = done.result as {
      api: unknown;
      net: Record<string, unknown>;
      files: Record<string, unknown>;
    };
    expect(api).toBe(200);
    expect(net).toEqual({
      ...Object.fromEntries(Object.keys(net).map((k) => [k, "denied"])),
      // `localhost` is 127.0.0.1, the API's own address: the API's port, and only it.
      "api via localhost": 200,
    });
    expect(files).toEqual({
      ...Object.fromEntries(Object.keys(files).map((k) => [k, "denied"])),
      // A link may be made (allow-write), but what it points at stays closed.
      "link to keys.json": "done",
    });
    await expect(readFile(path.join(dataDir, "planted"))).rejects.toThrow(/ENOENT/);
    user.realtime.removeAllChannels();
  });
});
