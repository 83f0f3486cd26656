// `fluxbase-local login-link` prints a link that signs in to an already running server (the
// code is stored in its database), once. The link is printed by the command run in-process;
// the binary runs once, for its refusal. The last admin can neither be deleted nor demoted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLoginLinkCommand } from "../../src-server/cli/login-link.ts";
import { runCli } from "../helpers/processes.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ jobsConfig: { embeddedWorkerCount: 0 } });
});
afterAll(async () => {
  await t?.stop();
});

const redeem = (code: string) =>
  fetch(`${t.url}/api/v1/auth/ui-login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
  });

describe("login-link", () => {
  it("prints a fresh link the running server accepts once", async () => {
    const printed: string[] = [];
    await runLoginLinkCommand({
      argv: ["--database-url", t.database.url, "--url", t.url],
      env: {},
      print: (line) => printed.push(line),
    });
    const match = printed.join("\n").match(/Sign in: (\S+)\/#\/login\?code=([\w-]+)/);
    expect(match?.[1]).toBe(t.url);
    const code = match![2]!;
    const first = await redeem(code);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { user: { email: string } }).user.email).toBe(
      "admin@fluxbase.local",
    );
    const again = await redeem(code);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: string }).error).toContain("login-link");
  });

  it(
    "says what to do when no server runs on the data dir (the binary: exit code 2)",
    { timeout: 60_000 },
    async () => {
      const cli = runCli(["login-link", "--data-dir", "/nonexistent/fluxbase-data"], {
        DATABASE_URL: "",
      });
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain("fluxbase-local serve");
    },
  );
});

describe("the last admin", () => {
  it("cannot be deleted or demoted; with another admin it can", async () => {
    const users = t.service.admin.users;
    const { data: list } = await users.list();
    const admins = list!.filter((u) => u.role === "admin");
    expect(admins.map((u) => u.email)).toEqual(["admin@fluxbase.local"]);
    const only = admins[0]!;

    const del = await users.delete(only.id);
    expect(del.error?.status).toBe(409);
    expect(del.error?.message).toContain("last admin");
    const demote = await users.setRole(only.id, "authenticated");
    expect(demote.error?.status).toBe(409);

    const { data: second } = await users.create({
      email: "second@example.com",
      password: "correct horse battery",
      role: "admin",
    });
    expect((await users.setRole(only.id, "authenticated")).error).toBeNull();
    expect((await users.delete(second!.id)).error?.status).toBe(409);
    expect((await users.setRole(only.id, "admin")).error).toBeNull();
    expect((await users.delete(second!.id)).error).toBeNull();
    const { data: plain } = await users.create({
      email: "plain@example.com",
      password: "correct horse battery",
    });
    expect((await users.delete(plain!.id)).error).toBeNull();
  });
});
