// `fluxbase-local serve` from scratch: embedded PostgreSQL in a fresh data dir, the ready
// line, /health, a job through the printed anon key, and a clean exit on SIGTERM.
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { waitFor } from "../helpers/stack.ts";

let dir: string;
let server: CliProcess | undefined;

afterAll(async () => {
  server?.child.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("serve", () => {
  it("starts, serves jobs with the printed key, and shuts down cleanly", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-serve-"));
    await chmod(dir, 0o755);
    await mkdir(path.join(dir, "jobs"));
    await writeFile(
      path.join(dir, "jobs", "hello.ts"),
      `export function handler(req, fluxbase, fluxbaseService, job) { return { hello: job.getJobPayload().name }; }`,
    );
    const dataDir = path.join(dir, "data");
    server = runCli([
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--jobs-dir",
      path.join(dir, "jobs"),
    ]);
    const [, url] = (await server.waitForLine(
      /Fluxbase Local ready at (http:\/\/\S+)/,
      60_000,
    )) as unknown as [string, string];
    const anonKey = server.output().match(/Anon key:\s+(\S+)/)![1]!;

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: "ok", workers: 4 });

    const keys = JSON.parse(await readFile(path.join(dataDir, "keys.json"), "utf8")) as {
      anonKey: string;
    };
    expect(keys.anonKey).toBe(anonKey);

    const client = createClient(url, { apiKey: anonKey });
    // The anon key alone may submit but not read jobs: sign in to follow one.
    await client.auth.signUp({ email: "serve@example.com", password: "correct horse battery" });
    const { data: job } = await client.jobs.submit("hello", { name: "world" });
    const done = await waitFor(async () => {
      const { data } = await client.jobs.get(job!.id);
      return data?.status === "completed" ? data : undefined;
    });
    expect(done.result).toEqual({ hello: "world" });

    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
  });

  it("refuses an invalid setting with a one-line error and exit code 2", async () => {
    const bad = runCli(["serve", "--port", "99999"]);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/port/i);
    expect(bad.output()).not.toMatch(/\n\s+at /);
  });
});
