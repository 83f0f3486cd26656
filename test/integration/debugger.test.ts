// Debug runs: a job started with its sandbox's V8 inspector, driven over CDP by the server
// (real Deno): the stop before the handler's first line, breakpoints on the job's own
// TypeScript lines (conditional ones included), scopes and expandable objects, steps,
// evaluate, the timeouts standing still while a debugger holds the job, detach, and
// admins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDebugCommand } from "../../src-server/cli/debug.ts";
import { connectCdp } from "../../src-server/debug/cdp-client.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

// Type-only lines above the handler: the JavaScript V8 runs has fewer lines than this file.
const SOURCE = `interface Order {
  id: number;
  items: { sku: string; qty: number }[];
}

type Total = { count: number };

export async function handler(req: Request) {
  const order: Order = await req.json();
  let count = 0;
  for (const item of order.items) {
    count += item.qty;
  }
  const total: Total = { count };
  return { id: order.id, total };
}
`;
const LINE = {
  entry: 9,
  loopBody: 12,
  total: 14,
};

// A job bundled from two files: the helper comes first in the bundle, so the bundle's lines
// are not the entry file's. Breakpoints and pauses are the lines of each file as written.
const HELPER = `// Prices of an order line.
export interface Line {
  sku: string;
  qty: number;
  price: number;
}

export function lineTotal(line: Line): number {
  const gross = line.qty * line.price;
  return gross;
}
`;
const CART = `import { lineTotal, type Line } from "./_shared/prices.ts";

type Cart = { lines: Line[] };

export async function handler(req: Request) {
  const cart: Cart = await req.json();
  let sum = 0;
  for (const line of cart.lines) {
    sum += lineTotal(line);
  }
  return { sum };
}
`;
const CART_LINE = { entry: 6, loopBody: 9, result: 11, helperFirst: 9 };

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({
    jobs: {
      "orders.ts": SOURCE,
      "cart.ts": CART,
      "_shared/prices.ts": HELPER,
      "short.ts": `export async function handler() {
  const started = Date.now();
  return { started };
}
`,
    },
    // Short timeouts: a job paused longer than them must still not be killed.
    jobsConfig: { defaultProgressTimeoutSeconds: 2 },
    // A debugger that stops asking for 4 s is gone.
    debugDetachAfterMs: 4000,
  });
});
afterAll(async () => {
  await t?.stop();
});

interface Variable {
  name: string;
  value: string;
  type: string;
  object_id: string | null;
}
interface State {
  job_id: string;
  status: string;
  version: number;
  reason: string | null;
  line: number | null;
  file: string | null;
  file_line: number | null;
  frames: Array<{
    name: string;
    line: number;
    in_job: boolean;
    file: string | null;
    scopes: Array<{ type: string; variables: Variable[] | null }>;
  }>;
  breakpoints: Array<{ line: number; condition: string | null; actual_line: number | null }>;
  inspector_url: string | null;
  note: string | null;
}

async function call<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
) {
  const res = await fetch(`${t.url}/api/v1/admin/debug/runs${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${init.token ?? t.stack.keys.serviceKey}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Long-polls the session until `accept` holds. */
async function until(id: string, accept: (s: State) => boolean, what: string): Promise<State> {
  let version = 0;
  return waitFor(
    async () => {
      const { body } = await call<State>(`/${id}?after=${version}`);
      version = body.version;
      return accept(body) ? body : undefined;
    },
    { what, timeoutMs: 30_000 },
  );
}

const locals = (s: State) =>
  Object.fromEntries(
    s.frames[0]!.scopes.filter((sc) => sc.type === "local" || sc.type === "block")
      .flatMap((sc) => sc.variables ?? [])
      .map((v) => [v.name, v.value]),
  );

async function jobOf(id: string) {
  return waitFor(
    async () => {
      const { data } = await t.service.jobs.get(id);
      return data && ["completed", "failed", "cancelled"].includes(data.status) ? data : undefined;
    },
    { what: "the job's end", timeoutMs: 30_000 },
  );
}

describe("debug runs", () => {
  it("stops before the handler, on TypeScript breakpoints, steps, evaluates and finishes", async () => {
    const start = await call<State>("", {
      body: {
        job_name: "orders",
        payload: {
          id: 7,
          items: [
            { sku: "a", qty: 2 },
            { sku: "b", qty: 5 },
          ],
        },
        breakpoints: [{ line: LINE.loopBody, condition: "item.qty > 3" }, { line: LINE.total }],
      },
    });
    expect(start.status).toBe(201);
    const id = start.body.job_id;

    const entry = await until(id, (s) => s.status === "paused", "the entry stop");
    expect(entry.reason).toBe("entry");
    expect(entry.line).toBe(LINE.entry);
    expect(entry.inspector_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[\w-]+$/);
    expect(entry.frames[0]).toMatchObject({ name: "handler", in_job: true });
    expect(entry.breakpoints).toEqual([
      { line: LINE.loopBody, condition: "item.qty > 3", actual_line: LINE.loopBody },
      { line: LINE.total, condition: null, actual_line: LINE.total },
    ]);

    // Paused past the progress timeout (2 s): the job is held, not killed.
    const { data: running } = await t.service.jobs.get(id);
    // (Polling the session all the while: its debugger is there.)
    await waitFor(
      async () => {
        await call(`/${id}`);
        return Date.now() - Date.parse(running!.started_at!) > 3500 ? true : undefined;
      },
      { what: "the progress timeout to pass", intervalMs: 250 },
    );
    expect((await t.service.jobs.get(id)).data!.status).toBe("running");
    expect((await call<State>(`/${id}`)).body.status).toBe("paused");

    await call(`/${id}/commands`, { body: { command: "stepOver" } });
    const stepped = await until(
      id,
      (s) => s.status === "paused" && s.version > entry.version,
      "the step",
    );
    expect(stepped.reason).toBe("step");
    expect(stepped.line).toBe(LINE.entry + 1);
    expect(locals(stepped).order).toContain("id: 7");

    await call(`/${id}/commands`, { body: { command: "resume" } });
    // The condition skips the first item (qty 2) and stops on the second.
    const atLoop = await until(
      id,
      (s) => s.status === "paused" && s.version > stepped.version,
      "the loop breakpoint",
    );
    expect(atLoop.reason).toBe("breakpoint");
    expect(atLoop.line).toBe(LINE.loopBody);
    expect(locals(atLoop)).toMatchObject({ count: "2" });
    // (The payload went through jsonb, which orders keys by length.)
    expect(locals(atLoop).item).toBe(`{qty: 5, sku: "b"}`);

    // Expand the order (an object of the local scope).
    const order = atLoop.frames[0]!.scopes.flatMap((sc) => sc.variables ?? []).find(
      (v) => v.name === "order",
    )!;
    expect(order.object_id).toBeTruthy();
    const props = await call<{ properties: Variable[] }>(
      `/${id}/properties?object_id=${encodeURIComponent(order.object_id!)}`,
    );
    expect(props.body.properties.map((p) => p.name)).toEqual(
      expect.arrayContaining(["id", "items"]),
    );

    const evaluated = await call<Variable>(`/${id}/evaluate`, {
      body: { expression: "count + item.qty" },
    });
    expect(evaluated.body.value).toBe("7");

    await call(`/${id}/commands`, { body: { command: "resume" } });
    const atTotal = await until(
      id,
      (s) => s.status === "paused" && s.line === LINE.total,
      "the second breakpoint",
    );
    expect(locals(atTotal)).toMatchObject({ count: "7" });

    await call(`/${id}/commands`, { body: { command: "resume" } });
    const job = await jobOf(id);
    expect(job.status).toBe("completed");
    expect(job.result).toEqual({ id: 7, total: { count: 7 } });
    await until(id, (s) => s.status === "ended", "the session's end");
  });

  it("in a job bundled from several files, stops on the lines of the job's own file and names the other file's", async () => {
    const start = await call<State>("", {
      body: {
        job_name: "cart",
        payload: {
          lines: [
            { sku: "a", qty: 1, price: 3 },
            { sku: "b", qty: 4, price: 2 },
          ],
        },
        breakpoints: [{ line: CART_LINE.loopBody, condition: "line.qty > 2" }],
      },
    });
    expect(start.status).toBe(201);
    const id = start.body.job_id;

    const entry = await until(id, (s) => s.status === "paused", "the entry stop");
    expect(entry.reason).toBe("entry");
    expect(entry.line).toBe(CART_LINE.entry);
    expect(entry.breakpoints[0]!.actual_line).toBe(CART_LINE.loopBody);

    // The condition skips the first line (qty 1) and stops on the second.
    await call(`/${id}/commands`, { body: { command: "resume" } });
    const atLoop = await until(
      id,
      (s) => s.status === "paused" && s.version > entry.version,
      "the conditional breakpoint",
    );
    expect(atLoop.reason).toBe("breakpoint");
    expect(atLoop.line).toBe(CART_LINE.loopBody);
    expect(locals(atLoop)).toMatchObject({ sum: "3" });
    expect(locals(atLoop).line).toContain("qty: 4");

    // Step into the helper: paused in _shared/prices.ts, on its own line.
    await call(`/${id}/commands`, { body: { command: "stepInto" } });
    const inHelper = await until(
      id,
      (s) => s.status === "paused" && s.version > atLoop.version,
      "the step into the helper",
    );
    expect(inHelper.line).toBeNull();
    expect(inHelper.file).toBe("_shared/prices.ts");
    expect(inHelper.file_line).toBe(CART_LINE.helperFirst);
    expect(inHelper.frames[0]).toMatchObject({
      name: "lineTotal",
      in_job: false,
      file: "_shared/prices.ts",
      line: CART_LINE.helperFirst,
    });
    expect(inHelper.frames[1]).toMatchObject({
      name: "handler",
      in_job: true,
      file: null,
      line: CART_LINE.loopBody,
    });

    // A breakpoint added while paused, on the entry file's return line.
    await call(`/${id}/breakpoints`, {
      method: "PUT",
      body: { breakpoints: [{ line: CART_LINE.result }] },
    });
    await call(`/${id}/commands`, { body: { command: "resume" } });
    const atResult = await until(
      id,
      (s) => s.status === "paused" && s.line === CART_LINE.result,
      "the breakpoint on the return",
    );
    expect(locals(atResult)).toMatchObject({ sum: "11" });

    await call(`/${id}/commands`, { body: { command: "resume" } });
    const job = await jobOf(id);
    expect(job.status).toBe("completed");
    expect(job.result).toEqual({ sum: 11 });
  });

  it("lets go when the debugger detaches: the job runs on and completes", async () => {
    const start = await call<State>("", { body: { job_name: "short" } });
    const id = start.body.job_id;
    await until(id, (s) => s.status === "paused", "the entry stop");
    const detached = await call<State>(`/${id}/detach`, { body: {} });
    expect(detached.body.status).toBe("detached");
    expect((await jobOf(id)).status).toBe("completed");
  });

  it("lets go of the job when its debugger goes away: it runs on and completes", async () => {
    const start = await call<State>("", { body: { job_name: "short" } });
    const id = start.body.job_id;
    await until(id, (s) => s.status === "paused", "the entry stop");
    // No more polls: the session detaches by itself and the job finishes.
    expect((await jobOf(id)).status).toBe("completed");
    const after = await call<State>(`/${id}`);
    expect(after.body.status).toBe("ended");
  });

  it("cancel still ends a paused job", async () => {
    const start = await call<State>("", { body: { job_name: "short" } });
    const id = start.body.job_id;
    await until(id, (s) => s.status === "paused", "the entry stop");
    await t.service.jobs.cancel(id);
    expect((await jobOf(id)).status).toBe("cancelled");
    await until(id, (s) => s.status === "ended", "the session's end");
  });

  it("is for admins only, and names the field of bad input", async () => {
    const user = await t.signUp("dev@example.com");
    const { data } = await user.auth.getSession();
    const token = data!.session!.access_token;
    const refused = await call<{ error: string }>("", {
      body: { job_name: "short" },
      token,
    });
    expect(refused.status).toBe(403);
    expect(
      (await call("", { body: { job_name: "short" }, token: t.stack.keys.anonKey })).status,
    ).toBe(403);

    const bad = await call<{ error: string; field?: string }>("", {
      body: { job_name: "short", breakpoints: [{ line: 0 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("breakpoints[0].line");
    const unknown = await call<{ error: string }>("/00000000-0000-0000-0000-000000000000");
    expect(unknown.status).toBe(404);
  });

  it("jobs debug (CLI) prints the inspector URL and a launch.json entry an editor attaches with", async () => {
    const lines: string[] = [];
    const command = runDebugCommand({
      name: "orders",
      payload: JSON.stringify({ id: 1, items: [{ sku: "x", qty: 3 }] }),
      url: t.url,
      key: t.stack.keys.serviceKey,
      jobsDir: t.jobsDir,
      print: (line) => lines.push(line),
    });
    const url = await waitFor(
      () => lines.find((l) => l.startsWith("inspector: "))?.slice("inspector: ".length),
      { what: "the inspector URL", timeoutMs: 30_000 },
    );
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[\w-]+$/);
    const launch = JSON.parse(lines.find((l) => l.startsWith("{"))!) as Record<string, unknown>;
    expect(launch).toMatchObject({
      type: "node",
      request: "attach",
      websocketAddress: url,
      sourceMapPathOverrides: { "blob:null/*": `${t.jobsDir}/orders.ts` },
    });
    // An editor attaches (as VS Code does) and lets the job run.
    const editor = await connectCdp({ url, onEvent: () => {} });
    await editor.send("Runtime.enable");
    await editor.send("Debugger.enable");
    await editor.send("Runtime.runIfWaitingForDebugger");
    expect(await command).toBe(0);
    editor.close();
    const id = lines[0]!.split(" ")[2]!;
    const job = await jobOf(id);
    expect(job.status).toBe("completed");
    expect(job.result).toEqual({ id: 1, total: { count: 3 } });
    expect(lines.at(-1)).toBe("debug session ended");
  });
});
