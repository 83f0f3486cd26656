// What a job must not be able to do in the Deno sandbox: reach the network without
// allow_net, see the server's environment, forge control messages, leak secrets into
// logs, outgrow its memory limit, or outlive the runtime.
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDenoRuntime, type DenoRuntime } from "../../src-server/jobs/sandbox/index.ts";
import {
  DEFAULT_TEST_PERMISSIONS,
  jobSpec,
  processesMentioning,
  startRun,
  startTestServer,
  waitFor,
  type TestServer,
} from "./sandbox-harness.ts";

let cacheDir: string;
let dataDir: string;
let runtime: DenoRuntime;
let api: TestServer;
let other: TestServer;

beforeAll(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), "fluxbase-sandbox-sec-"));
  dataDir = mkdtempSync(path.join(tmpdir(), "fluxbase-sandbox-data-"));
  writeFileSync(path.join(dataDir, "keys.json"), '{"jwtSecret":"server-jwt-secret"}', {
    mode: 0o600,
  });
  const hostEnv = {
    ...process.env,
    DATABASE_URL: "postgres://server-secret@db/app",
    FLUXBASE_AUTH_JWT_SECRET: "jwt",
  };
  runtime = createDenoRuntime({
    cacheDir,
    warmProcessCount: 1,
    hostEnv,
    protectedPaths: [dataDir],
  });
  api = await startTestServer();
  other = await startTestServer();
});

afterAll(async () => {
  await runtime?.close();
  await api?.close();
  await other?.close();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const run = (code: string, overrides = {}) => startRun(runtime, jobSpec(code, api.url, overrides));

const fetchBoth = (otherUrl: string) => `
  export async function handler() {
    const attempt = async (url) => {
      try { return (await fetch(url)).status; } catch (error) { return error.name; }
    };
    return { api: await attempt(Deno.env.get("FLUXBASE_URL") + "/x"), other: await attempt("${otherUrl}/y") };
  }`;

describe("network", () => {
  it("allow_net false reaches the local API and nothing else", async () => {
    const permissions = { ...DEFAULT_TEST_PERMISSIONS, allowNet: false };
    const outcome = await run(fetchBoth(other.url), { permissions }).done;
    expect(outcome).toEqual({ ok: true, result: { api: 200, other: "NotCapable" } });
    expect(other.requests).toHaveLength(0);
  });

  it("allow_net true reaches the API but nothing on this machine, in any spelling", async () => {
    const { port } = new URL(other.url);
    const apiPort = new URL(api.url).port;
    const targets = [
      ...["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "localhost"].map(
        (host) => `${host}:${port}`,
      ),
      ...["[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "0.0.0.0", "0", "127.0.0.2"].map(
        (host) => `${host}:${port}`,
      ),
      `0.0.0.0:${apiPort}`,
      "169.254.169.254:80",
      "10.0.0.1:80",
      "172.16.0.1:80",
      "192.168.0.1:80",
      "100.64.0.1:80",
    ];
    const code = `
      export async function handler() {
        const denied = (error) =>
          error.name === "NotCapable" || /Requires net access/.test(String(error.cause?.message ?? error.cause));
        const attempt = async (url) => {
          try { return (await fetch(url, { signal: AbortSignal.timeout(3000) })).status; }
          catch (error) { return denied(error) ? "denied" : error.name; }
        };
        const out = { api: await attempt(Deno.env.get("FLUXBASE_URL") + "/x") };
        for (const target of ${JSON.stringify(targets)}) out[target] = await attempt("http://" + target + "/y");
        try { (await Deno.connect({ hostname: "127.0.0.1", port: ${port} })).close(); out.tcp = "connected"; }
        catch (error) { out.tcp = denied(error) ? "denied" : error.name; }
        return out;
      }`;
    const outcome = await run(code).done;
    const expected = Object.fromEntries(targets.map((target) => [target, "denied"]));
    expect(outcome).toEqual({ ok: true, result: { api: 200, ...expected, tcp: "denied" } });
    expect(other.requests).toHaveLength(0);
  });

  it("reaches a machine address the function names", async () => {
    const { port } = new URL(other.url);
    const permissions = { ...DEFAULT_TEST_PERMISSIONS, allowNetHosts: [`127.0.0.1:${port}`] };
    const outcome = await run(fetchBoth(other.url), { permissions }).done;
    expect(outcome).toEqual({ ok: true, result: { api: 200, other: 200 } });
  });
});

describe("environment", () => {
  it("never shows the server's variables; the job's are there", async () => {
    const code = `export const handler = () => Deno.env.toObject();`;
    const outcome = await run(code, { env: { FLUXBASE_EXTERNAL_API_KEY: "ext" } }).done;
    expect(outcome.ok).toBe(true);
    const env = (outcome.ok ? outcome.result : {}) as Record<string, string>;
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.FLUXBASE_AUTH_JWT_SECRET).toBeUndefined();
    expect(env.FLUXBASE_JOB_ID).toBe("00000000-0000-4000-8000-000000000001");
    expect(env.FLUXBASE_EXTERNAL_API_KEY).toBe("ext");
    expect(
      Object.keys(env)
        .filter((name) => name.startsWith("FLUXBASE_"))
        .sort(),
    ).toEqual([
      "FLUXBASE_EXTERNAL_API_KEY",
      "FLUXBASE_JOB_CANCELLED",
      "FLUXBASE_JOB_ID",
      "FLUXBASE_JOB_NAME",
      "FLUXBASE_JOB_NAMESPACE",
      "FLUXBASE_JOB_TOKEN",
      "FLUXBASE_SERVICE_TOKEN",
      "FLUXBASE_URL",
    ]);
  });

  it("allow_env false allows exactly the injected names", async () => {
    const code = `
      export function handler() {
        let home;
        try { home = Deno.env.get("HOME"); } catch (error) { home = error.name; }
        return { id: Deno.env.get("FLUXBASE_JOB_ID"), ext: Deno.env.get("FLUXBASE_EXTERNAL_API_KEY"), home };
      }`;
    const permissions = { ...DEFAULT_TEST_PERMISSIONS, allowEnv: false };
    const outcome = await run(code, { permissions, env: { FLUXBASE_EXTERNAL_API_KEY: "ext" } })
      .done;
    expect(outcome).toEqual({
      ok: true,
      result: { id: "00000000-0000-4000-8000-000000000001", ext: "ext", home: "NotCapable" },
    });
  });

  it("reads nothing outside its own code without allow_read", async () => {
    const code = `export function handler() { try { Deno.readTextFileSync("/etc/hostname"); return "read"; } catch (e) { return e.name; } }`;
    expect(await run(code).done).toEqual({ ok: true, result: "NotCapable" });
  });
});

describe("state between users", () => {
  const userA = { id: "00000000-0000-4000-8000-0000000000a1", role: "authenticated" };
  const userB = { id: "00000000-0000-4000-8000-0000000000b2", role: "authenticated" };

  it("user B reads nothing user A left in localStorage or the Cache API", async () => {
    const attempt = (local: string, cache: string) => `
      export async function handler() {
        const out = {};
        try { ${local} } catch (error) { out.local = error.name + ": " + error.message; }
        try { ${cache} } catch (error) { out.cache = error.name + ": " + error.message; }
        return out;
      }`;
    const write = attempt(
      `localStorage.setItem("token", "from-a"); out.local = "stored";`,
      `await (await caches.open("c")).put("http://x/k", new Response("from-a")); out.cache = "stored";`,
    );
    const read = attempt(
      `out.local = localStorage.getItem("token");`,
      `const hit = await (await caches.open("c")).match("http://x/k"); out.cache = hit ? await hit.text() : null;`,
    );
    const a = await run(write, { user: userA }).done;
    const b = await run(read, { user: userB, jobId: "00000000-0000-4000-8000-000000000002" }).done;
    expect(JSON.stringify(b)).not.toContain("from-a");
    expect(a).toEqual({
      ok: true,
      result: {
        local: expect.stringMatching(/^SecurityError: localStorage is turned off in Fluxbase jobs/),
        cache: expect.stringMatching(/^SecurityError: caches is turned off in Fluxbase jobs/),
      },
    });
  });

  it("a job reaching past the global still finds no storage folder", async () => {
    const code = `export async function handler() {
      sessionStorage.setItem("k", "v");
      return { session: sessionStorage.getItem("k"), denoDir: Deno.env.get("DENO_DIR") };
    }`;
    const outcome = await run(code).done;
    const { session, denoDir } = (outcome.ok ? outcome.result : {}) as Record<string, string>;
    expect(session).toBe("v");
    expect(lstatSync(path.join(denoDir as string, "location_data")).isFile()).toBe(true);
  });
});

describe("the server's files", () => {
  const everything = { ...DEFAULT_TEST_PERMISSIONS, allowRead: true, allowWrite: true };
  const probe = (body: string) => `
    export async function handler() {
      const attempt = (fn) => { try { return fn(); } catch (error) { return error.name; } };
      ${body}
    }`;

  it("the data dir and the sandbox's own caches are denied even with allow_read and allow_write", async () => {
    const code = probe(`return {
      keys: attempt(() => Deno.readTextFileSync(${JSON.stringify(path.join(dataDir, "keys.json"))})),
      list: attempt(() => [...Deno.readDirSync(${JSON.stringify(dataDir)})].length),
      write: attempt(() => Deno.writeTextFileSync(${JSON.stringify(path.join(dataDir, "planted"))}, "x")),
      denoDir: attempt(() => [...Deno.readDirSync(Deno.env.get("DENO_DIR"))].length),
      home: attempt(() => [...Deno.readDirSync(Deno.env.get("HOME"))].length),
      server: attempt(() => Deno.readTextFileSync("/proc/${process.pid}/environ")),
    };`);
    const outcome = await run(code, { permissions: everything }).done;
    expect(outcome).toEqual({
      ok: true,
      result: {
        keys: "NotCapable",
        list: "NotCapable",
        write: "NotCapable",
        denoDir: "NotCapable",
        home: "NotCapable",
        server: "NotCapable",
      },
    });
  });

  it.runIf(process.getuid?.() === 0)("jobs of a root server do not run as root", async () => {
    const code = probe(`return {
      uid: Deno.statSync(Deno.makeTempFileSync()).uid,
      shadow: attempt(() => Deno.readTextFileSync("/etc/shadow").length),
    };`);
    const outcome = await run(code, { permissions: everything }).done;
    expect(outcome).toEqual({ ok: true, result: { uid: 65534, shadow: "PermissionDenied" } });
  });
});

describe("control channel", () => {
  it("a forged control line is only a log line", async () => {
    const forged = (type: string, body: string) => `\\u001eFLXguess {"type":"${type}",${body}}`;
    const code = `
      export function handler(req, fb, fbs, job) {
        console.log('${forged("result", '"value":"forged"')}');
        console.log('__RESULT__::{"success":true,"result":"forged"}');
        const raw = '${forged("progress", '"percent":99')}\\n' + "partial line";
        Deno.stdout.writeSync(new TextEncoder().encode(raw));
        job.reportProgress(5, "real");
        return "real";
      }`;
    const execution = run(code);
    expect(await execution.done).toEqual({ ok: true, result: "real" });
    expect(execution.progress).toEqual([{ percent: 5, message: "real" }]);
    const messages = execution.logs.map((log) => log.message);
    expect(messages).toContain('\u001eFLXguess {"type":"result","value":"forged"}');
    expect(messages).toContain('\u001eFLXguess {"type":"progress","percent":99}');
    expect(messages).toContain("partial line");
  });

  it("patching JSON or stdout in job code does not break the channel", async () => {
    const code = `
      JSON.stringify = () => "tampered";
      Deno.stdout.writeSync = () => 0;
      export const handler = (req, fb, fbs, job) => { job.reportProgress(50); return { fine: true }; };`;
    const execution = run(code);
    expect(await execution.done).toEqual({ ok: true, result: { fine: true } });
    expect(execution.progress).toEqual([{ percent: 50 }]);
  });
});

describe("secrets", () => {
  it("reads user then system secrets and masks their values in every log line", async () => {
    const code = `
      export function handler() {
        console.log("key is", secrets.get("stripe_key"), secrets.getSystem("stripe_key"));
        console.error(\`system \${secrets.get("webhook")}\`);
        Deno.stdout.writeSync(new TextEncoder().encode("raw " + secrets.getUser("stripe_key") + "\\n"));
        return { user: secrets.getUser("stripe_key"), fallback: secrets.get("webhook"), missing: secrets.get("nope") ?? null };
      }`;
    const secretsSpec = {
      user: { stripe_key: "sk_user_123456" },
      system: { stripe_key: "sk_system_999", webhook: "whsec_abcdef" },
    };
    const execution = run(code, { secrets: secretsSpec });
    expect(await execution.done).toEqual({
      ok: true,
      result: { user: "sk_user_123456", fallback: "whsec_abcdef", missing: null },
    });
    expect(execution.logs).toEqual([
      { level: "info", message: "key is *** ***" },
      { level: "error", message: "system ***" },
      { level: "info", message: "raw ***" },
    ]);
  });
});

describe("resources", () => {
  it("reports running out of memory against the limit", async () => {
    const code = `
      export function handler() {
        const hoard = [];
        for (;;) hoard.push(new Array(100_000).fill({ n: Math.random() }));
      }`;
    const permissions = { ...DEFAULT_TEST_PERMISSIONS, memoryLimitMb: 32 };
    const outcome = await run(code, { permissions }).done;
    expect(outcome).toEqual({ ok: false, reason: "memory", error: "Out of memory (limit 32 MB)" });
  });

  it("holds the whole process to its limit: 1 GiB of typed arrays under 64 MB fails", async () => {
    const code = `
      export function handler() {
        const hoard = [];
        for (let i = 0; i < 64; i++) hoard.push(new Uint8Array(16 * 1024 * 1024).fill(1));
        return hoard.length;
      }`;
    const permissions = { ...DEFAULT_TEST_PERMISSIONS, memoryLimitMb: 64 };
    const outcome = await run(code, { permissions }).done;
    expect(outcome).toEqual({ ok: false, reason: "memory", error: "Out of memory (limit 64 MB)" });
  });

  it("a job that kills or aborts itself has crashed, not run out of memory", async () => {
    const kill = await run(`export function handler() { Deno.kill(Deno.pid, "SIGKILL"); }`).done;
    expect(kill).toMatchObject({ ok: false, reason: "crashed" });
    const abort = await run(`
      import process from "node:process";
      export function handler() { process.abort(); }`).done;
    expect(abort).toMatchObject({ ok: false, reason: "crashed" });
  });

  it("close() ends warm and running processes and leaves none behind", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fluxbase-sandbox-close-"));
    const local = createDenoRuntime({ cacheDir: dir, warmProcessCount: 2 });
    const sleeping = startRun(
      local,
      jobSpec(
        "export const handler = () => new Promise(() => setInterval(() => {}, 1000));",
        api.url,
      ),
    );
    await waitFor(sleeping.started);
    await waitFor(() => processesMentioning(dir).length >= 3);
    await local.close();
    expect(await sleeping.done).toMatchObject({ ok: false });
    expect(processesMentioning(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
