// A submit takes its function from a cache (jobs/api/submit-functions.ts) so that it costs
// no lookup; whatever changes the function (its job file saved, the admin API, another
// server writing the same database) must hold for the very next submit all the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { api, type ApiResponse } from "../helpers/secrets.ts";
import { signUpRaw } from "../helpers/sessions.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const limits = (timeout: number) => `// @fluxbase:timeout ${timeout}
export function handler() { return null; }
`;
const code = "export function handler() { return null; }";

let t: TestStack;
let db: Db;
let service: string;
let user: string;

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "limits.ts": limits(30) },
    jobsConfig: { workerMode: "disabled" },
  });
  db = createDb({ connectionString: t.database.url, max: 2 });
  service = t.stack.keys.serviceKey;
  user = (await signUpRaw(t.url, "cache@example.com")).token;
});

afterAll(async () => {
  await db?.end();
  await t?.stop();
});

const submit = (name: string, options: { token?: string; namespace?: string } = {}) =>
  api(t.url, "/api/v1/jobs/submit", {
    method: "POST",
    token: options.token ?? service,
    body: { job_name: name, payload: {}, namespace: options.namespace },
  });

const admin = (method: string, path: string, body?: unknown) =>
  api(t.url, `/api/v1/admin/jobs/functions${path}`, { method, token: service, body });

function created(res: ApiResponse) {
  expect(res.status, res.text).toBe(201);
  return res.body as { namespace: string; max_duration_seconds: number };
}

describe("submits and a changing function", () => {
  it("a saved job file's new limits hold for the next submit", async () => {
    expect(created(await submit("limits")).max_duration_seconds).toBe(30);
    const { version } = (await admin("GET", "/default/limits")).body as { version: number };
    await t.writeJob("limits.ts", limits(45));
    await waitFor(
      async () =>
        (await admin("GET", "/default/limits")).body.version > version ? true : undefined,
      { what: "the saved file loaded" },
    );
    expect(created(await submit("limits")).max_duration_seconds).toBe(45);
  });

  it("a change another server wrote to the database holds for the next submit", async () => {
    expect(created(await submit("limits")).max_duration_seconds).toBe(45);
    await db.query("UPDATE jobs.functions SET timeout_seconds = 77 WHERE name = 'limits'");
    expect(created(await submit("limits")).max_duration_seconds).toBe(77);
    await db.query("UPDATE jobs.functions SET enabled = false WHERE name = 'limits'");
    expect((await submit("limits")).status).toBe(403);
  });

  it("disabling, restricting and deleting a function refuse the next submit; restoring it admits the next", async () => {
    expect((await admin("POST", "", { name: "gate", code })).status).toBe(201);
    expect(created(await submit("gate", { token: user })).namespace).toBe("default");

    await admin("PUT", "/default/gate", { enabled: false });
    const disabled = await submit("gate", { token: user });
    expect(disabled.status).toBe(403);
    expect(disabled.body.error).toBe("Job function is disabled");
    await admin("PUT", "/default/gate", { enabled: true });
    created(await submit("gate", { token: user }));

    await admin("PUT", "/default/gate", { require_roles: ["admin"] });
    const restricted = await submit("gate", { token: user });
    expect(restricted.status).toBe(403);
    expect(restricted.body.error).toBe("Insufficient permissions");
    created(await submit("gate"));
    await admin("PUT", "/default/gate", { require_roles: [] });
    created(await submit("gate", { token: user }));

    expect((await admin("DELETE", "/default/gate")).status).toBe(204);
    const gone = await submit("gate", { token: user });
    expect(gone.status).toBe(404);
    expect(gone.body.field).toBe("job_name");
  });

  it("a submit by bare name follows the first match when the name appears in default", async () => {
    await admin("POST", "", { name: "shadowed", namespace: "zeta", code });
    expect(created(await submit("shadowed")).namespace).toBe("zeta");
    await admin("POST", "", { name: "shadowed", namespace: "alpha", code });
    expect(created(await submit("shadowed")).namespace).toBe("alpha");
    await admin("POST", "", { name: "shadowed", namespace: "default", code });
    expect(created(await submit("shadowed")).namespace).toBe("default");
    expect(created(await submit("shadowed", { namespace: "zeta" })).namespace).toBe("zeta");
  });

  it("concurrent submits while the function changes each use the function as it was when inserted", async () => {
    await admin("POST", "", { name: "busy", code, timeout_seconds: 10 });
    created(await submit("busy"));
    const update = db.query("UPDATE jobs.functions SET timeout_seconds = 20 WHERE name = 'busy'");
    const replies = await Promise.all(Array.from({ length: 20 }, () => submit("busy")));
    await update;
    const timeouts = replies.map((r) => created(r).max_duration_seconds);
    expect(timeouts.every((s) => s === 10 || s === 20)).toBe(true);
    expect(created(await submit("busy")).max_duration_seconds).toBe(20);
  });
});
