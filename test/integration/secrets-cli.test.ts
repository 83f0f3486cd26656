// `fluxbase-local settings secrets ...`: the command run in-process (runSettingsCommand)
// beside a running server, attached to its database, whose jobs see what the CLI set; and
// one run of the real binary on a data dir with no server, where the command starts the
// embedded PostgreSQL itself.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSettingsCommand } from "../../src-server/cli/settings.ts";
import { runCli } from "../helpers/processes.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({
    jobs: {
      "show.ts": `export function handler() { return { stripe: secrets.get("stripe_api_key"), webhook: secrets.get("webhook_secret") }; }`,
    },
  });
});

afterAll(async () => {
  await t?.stop();
});

/** One command, in-process, against the running server's data dir and database. */
async function secretsCli(...args: string[]): Promise<string> {
  const lines: string[] = [];
  await runSettingsCommand({
    argv: ["secrets", ...args, "--data-dir", t.config.dataDir, "--database-url", t.database.url],
    env: {},
    print: (line) => lines.push(line),
  });
  return lines.join("\n");
}

describe("settings secrets (in-process)", () => {
  it("sets, lists, reveals and deletes system secrets that the server's jobs see", async () => {
    expect(
      await secretsCli("set", "stripe_api_key", "sk_live_first", "--description", "Stripe key"),
    ).toContain("Created secret stripe_api_key");
    expect(await secretsCli("set", "stripe_api_key", "sk_live_second")).toContain(
      "Updated secret stripe_api_key (version 2)",
    );
    const list = await secretsCli("list");
    expect(list).toMatch(
      /KEY\s+DESCRIPTION\s+VERSION\s+UPDATED\n\s*stripe_api_key\s+Stripe key\s+2\s/,
    );
    expect(list).not.toContain("sk_live");
    const meta = await secretsCli("get", "stripe_api_key");
    expect(meta).toMatch(/version:\s+2/);
    expect(meta).not.toContain("sk_live");
    expect((await secretsCli("get", "stripe_api_key", "--reveal")).trim()).toBe("sk_live_second");
    await expect(secretsCli("set", "1bad", "value")).rejects.toThrow(
      /NAME must start with a letter or _/,
    );
    await secretsCli("set", "webhook_secret", "whsec_while_running");

    const user = await t.signUp("cli@example.com");
    const { data: job } = await user.jobs.submit("show", {});
    const done = await waitFor(async () => {
      const { data } = await user.jobs.get(job!.id);
      return data && ["completed", "failed"].includes(data.status) ? data : undefined;
    });
    expect(done.result).toEqual({ stripe: "sk_live_second", webhook: "whsec_while_running" });

    expect(await secretsCli("delete", "webhook_secret")).toContain("Deleted secret webhook_secret");
    await expect(secretsCli("delete", "webhook_secret")).rejects.toThrow(
      "Secret 'webhook_secret' not found",
    );
  });
});

describe("settings secrets (the binary)", () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    "starts the data dir's PostgreSQL itself when no server runs, and exits 0 or 2",
    { timeout: 120_000 },
    async () => {
      dir = await mkdtemp(path.join(tmpdir(), "fluxbase-secrets-cli-"));
      await chmod(dir, 0o755);
      const dataDir = path.join(dir, "data");
      const set = runCli([
        "settings",
        "secrets",
        "set",
        "api_key",
        "k_value_1",
        "--data-dir",
        dataDir,
      ]);
      expect({ code: await set.exited, out: set.output() }).toMatchObject({
        code: 0,
        out: expect.stringContaining("Created secret api_key"),
      });
    },
  );
});
