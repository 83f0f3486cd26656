// The Connect view's examples work as printed against a real server: plain fetch, curl,
// the TypeScript SDK (imported by the path the snippet names), and a run's "copy as curl".
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as sdk from "../../src-sdk/index.ts";
import {
  curlForRun,
  curlSnippet,
  fetchSnippet,
  pythonSnippet,
  sdkForRun,
  sdkSnippet,
} from "../../src-renderer/lib/snippets.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const run = promisify(execFile);
let t: TestStack;
const email = "snippets@example.com";
const password = "correct horse battery";

beforeAll(async () => {
  t = await startTestStack({
    jobs: {
      "process-data.ts": `export function handler(req, a, b, job) { return { n: job.getJobPayload().items.length }; }`,
    },
  });
  await t.signUp(email, password);
});
afterAll(async () => {
  await t?.stop();
});

const target = () => ({ url: t.url, anonKey: t.stack.keys.anonKey });
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

describe("Connect examples", () => {
  it("name no npm package that does not exist, and Python uses requests", () => {
    const ts = sdkSnippet(target());
    expect(ts).not.toContain("@fluxbase/sdk");
    expect(ts).toContain('from "./src-sdk/index.ts"');
    expect(pythonSnippet(target())).toContain("import requests");
  });

  it("the fetch example signs in, submits and reads the job back", async () => {
    const body = fetchSnippet(target()) + "\nreturn { job, status };";
    const out = (await new AsyncFunction("email", "password", body)(email, password)) as {
      job: { id: string };
      status: { id: string; job_name: string };
    };
    expect(out.status.id).toBe(out.job.id);
    expect(out.status.job_name).toBe("process-data");
  });

  it("the SDK example runs with this repository's SDK", async () => {
    const code = sdkSnippet(target())
      .replace(/^import .*$/m, "")
      .replace("client.realtime.executionLogs(job.id, (line) => console.log(line.message));", "");
    const out = (await new AsyncFunction(
      "createClient",
      "email",
      "password",
      code + "\nreturn { job, error };",
    )(sdk.createClient, email, password)) as { job: { id: string }; error: unknown };
    expect(out.error).toBeNull();
    expect(out.job.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the curl example submits a job", async () => {
    const script = curlSnippet(target())
      .replace(
        '"email":"you@example.com","password":"…"',
        `"email":"${email}","password":"${password}"`,
      )
      .replace(/\n\ncurl -s '[^']*<job id>.*$/s, "");
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script]);
    const job = JSON.parse(stdout) as { id: string; status: string };
    expect(job.status).toBe("pending");
  });

  it("the Python requests example submits a job and prints its status", async (ctx) => {
    const has = await run("python3", ["-c", "import requests"]).then(
      () => true,
      () => false,
    );
    if (!has) return ctx.skip();
    const script = pythonSnippet(target())
      .replace('"you@example.com"', JSON.stringify(email))
      .replace('"…"', JSON.stringify(password));
    const { stdout } = await run("python3", ["-c", script]);
    expect(stdout.trim()).toMatch(/^(pending|running|completed)$/);
  });

  it("a run's copy-as-curl and copy-as-SDK submit the same job again", async () => {
    const session = (await (
      await fetch(`${t.url}/api/v1/auth/signin`, {
        method: "POST",
        headers: { apikey: t.stack.keys.anonKey, "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      })
    ).json()) as { access_token: string };
    const original = {
      job_name: "process-data",
      namespace: "default",
      payload: { items: [1, "it's"] },
    };
    const { stdout } = await run("bash", ["-c", curlForRun(original, target())], {
      env: { ...process.env, FLUXBASE_TOKEN: session.access_token },
    });
    const copy = JSON.parse(stdout) as { id: string; job_name: string };
    expect(copy.job_name).toBe("process-data");
    const done = await waitFor(async () => {
      const { data } = await t.service.jobs.get(copy.id);
      return data?.status === "completed" ? data : undefined;
    });
    expect(done.result).toEqual({ n: 2 });

    const client = sdk.createClient(t.url, { apiKey: t.stack.keys.anonKey });
    await client.auth.signIn({ email, password });
    const viaSdk = (await new AsyncFunction(
      "client",
      sdkForRun(original) + "\nreturn { job, error };",
    )(client)) as {
      job: { job_name: string; payload: unknown };
      error: unknown;
    };
    expect(viaSdk.error).toBeNull();
    expect(viaSdk.job.payload).toEqual({ items: [1, "it's"] });
  });
});
