// `fluxbase-local settings secrets ...` against a data dir: with no server (the command
// starts the embedded PostgreSQL itself), then beside a running server (it attaches to
// that server's PostgreSQL), whose jobs see what the CLI set.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { waitFor } from "../helpers/stack.ts";

let dir: string | undefined;
let server: CliProcess | undefined;

afterAll(async () => {
  server?.child.kill("SIGKILL");
  if (server) await server.exited;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("settings secrets (CLI)", () => {
  it(
    "sets, lists, reveals and deletes system secrets, with and without a running server",
    { timeout: 180_000 },
    async () => {
      dir = await mkdtemp(path.join(tmpdir(), "fluxbase-secrets-cli-"));
      await chmod(dir, 0o755);
      const dataDir = path.join(dir, "data");
      const jobsDir = path.join(dir, "jobs");
      await mkdir(jobsDir);
      await writeFile(
        path.join(jobsDir, "show.ts"),
        `export function handler() { return { stripe: secrets.get("stripe_api_key"), webhook: secrets.get("webhook_secret") }; }`,
      );
      const secretsCli = async (...args: string[]) => {
        const p = runCli(["settings", "secrets", ...args, "--data-dir", dataDir]);
        return { code: await p.exited, out: p.output() };
      };

      const created = await secretsCli(
        "set",
        "stripe_api_key",
        "sk_live_first",
        "--description",
        "Stripe key",
      );
      expect(created).toMatchObject({
        code: 0,
        out: expect.stringContaining("Created secret stripe_api_key"),
      });
      const updated = await secretsCli("set", "stripe_api_key", "sk_live_second");
      expect(updated.out).toContain("Updated secret stripe_api_key (version 2)");
      const list = await secretsCli("list");
      expect(list.code).toBe(0);
      expect(list.out).toMatch(
        /KEY\s+DESCRIPTION\s+VERSION\s+UPDATED\n\s*stripe_api_key\s+Stripe key\s+2\s/,
      );
      expect(list.out).not.toContain("sk_live");
      const meta = await secretsCli("get", "stripe_api_key");
      expect(meta.out).toMatch(/version:\s+2/);
      expect(meta.out).not.toContain("sk_live");
      expect((await secretsCli("get", "stripe_api_key", "--reveal")).out.trim()).toBe(
        "sk_live_second",
      );
      const bad = await secretsCli("set", "1bad", "value");
      expect(bad.code).toBe(2);
      expect(bad.out).toMatch(/NAME must start with a letter or _/);

      server = runCli(["serve", "--port", "0", "--data-dir", dataDir, "--jobs-dir", jobsDir]);
      const [, url] = (await server.waitForLine(
        /Fluxbase Local ready at (http:\/\/\S+)/,
        60_000,
      )) as unknown as [string, string];
      const anonKey = server.output().match(/Anon key:\s+(\S+)/)![1]!;
      expect((await secretsCli("set", "webhook_secret", "whsec_while_running")).code).toBe(0);

      const client = createClient(url, { apiKey: anonKey });
      // The anon key alone may submit but not read jobs: sign in to follow one.
      await client.auth.signUp({ email: "cli@example.com", password: "correct horse battery" });
      const { data: job } = await client.jobs.submit("show", {});
      const done = await waitFor(async () => {
        const { data } = await client.jobs.get(job!.id);
        return data && ["completed", "failed"].includes(data.status) ? data : undefined;
      });
      expect(done.result).toEqual({ stripe: "sk_live_second", webhook: "whsec_while_running" });

      expect((await secretsCli("delete", "webhook_secret")).out).toContain(
        "Deleted secret webhook_secret",
      );
      const again = await secretsCli("delete", "webhook_secret");
      expect(again.code).toBe(2);
      expect(again.out).toContain("Secret 'webhook_secret' not found");

      // A clean exit on SIGTERM is serve-cli.test.ts's subject: here only wait for it.
      server.child.kill("SIGTERM");
      await server.exited;
      server = undefined;
    },
  );
});
