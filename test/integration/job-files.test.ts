// The jobs folder as files (the IDE's file API): writes reach the watcher, paths stay
// inside the folder, and only admins get in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
let user: FluxbaseClient;

const job = (n: number) => `export async function handler() {\n  return { n: ${n} };\n}\n`;

beforeAll(async () => {
  t = await startTestStack({ jobs: { "hello.ts": job(1) }, jobsConfig: { watch: true } });
  user = await t.signUp("files-user@example.com");
});
afterAll(async () => {
  await t?.stop();
});

describe("job files API", () => {
  it("lists, reads, writes, renames and deletes; the watcher reloads each change", async () => {
    const files = t.service.admin.files;
    const { data: entries } = await files.listFiles();
    expect(entries).toContainEqual(expect.objectContaining({ path: "hello.ts", type: "file" }));
    expect((await files.readFile("hello.ts")).data).toEqual({ path: "hello.ts", content: job(1) });

    const written = await files.writeFile("reports/index.ts", job(2));
    expect(written.error).toBeNull();
    const fn = await waitFor(
      async () => (await t.service.admin.jobs.getFunction("default", "reports")).data ?? undefined,
      {
        what: "the new folder function",
      },
    );
    expect(fn.enabled).toBe(true);
    expect((await files.listFiles()).data!.map((e) => e.path)).toEqual(
      expect.arrayContaining(["reports", "reports/index.ts"]),
    );

    const before = (await t.service.admin.jobs.getFunction("default", "hello")).data!;
    await files.writeFile("hello.ts", job(3));
    await waitFor(
      async () => {
        const { data } = await t.service.admin.jobs.getFunction("default", "hello");
        return data && data.version !== before.version ? data : undefined;
      },
      { what: "hello's new version" },
    );

    expect((await files.renameFile("hello.ts", "hello2.ts")).error).toBeNull();
    await waitFor(async () =>
      (await t.service.admin.jobs.getFunction("default", "hello2")).data ? true : undefined,
    );
    expect((await files.renameFile("missing.ts", "x.ts")).error?.status).toBe(404);
    expect((await files.deleteFile("hello2.ts")).error).toBeNull();
    // The loader disables a function whose file is gone (it keeps its history).
    await waitFor(async () => {
      const { data } = await t.service.admin.jobs.getFunction("default", "hello2");
      return data === null || data.enabled === false ? true : undefined;
    });
    expect((await files.readFile("hello2.ts")).error?.status).toBe(404);
  });

  it("refuses traversal, absolute paths, other extensions and oversize content", async () => {
    const files = t.service.admin.files;
    const raw = (path: string, init: RequestInit = {}) =>
      fetch(`${t.url}/api/v1/admin/jobs/files/${path}`, {
        ...init,
        headers: {
          apikey: t.stack.keys.serviceKey,
          Authorization: `Bearer ${t.stack.keys.serviceKey}`,
          "Content-Type": "application/json",
        },
      });
    const traversal = await raw("..%2F..%2Fetc%2Fpasswd.ts");
    expect(traversal.status).toBe(400);
    expect(await traversal.json()).toMatchObject({ field: "path" });
    expect((await files.readFile("../secrets.ts")).error?.status).toBe(400);
    expect((await files.writeFile("a/../../b.ts", "x")).error?.status).toBe(400);
    expect((await raw("%2Fetc%2Fx.ts")).status).toBe(400);
    expect((await files.writeFile("notes.txt", "x")).error?.status).toBe(400);
    expect((await files.writeFile(".env.ts", "x")).error?.status).toBe(400);
    expect((await files.renameFile("hello.ts", "../out.ts")).error?.status).toBe(400);
    const big = await files.writeFile("big.ts", "x".repeat(1024 * 1024 + 1));
    expect(big.error?.status).toBe(413);
    expect(big.error?.details).toMatchObject({ field: "content" });
  });

  it("is for admins only", async () => {
    expect((await user.admin.files.listFiles()).error?.status).toBe(403);
    expect((await user.admin.files.writeFile("x.ts", "x")).error?.status).toBe(403);
    expect((await t.anon.admin.files.readFile("hello.ts")).error?.status).toBe(403);
    expect((await user.admin.files.keys()).error?.status).toBe(403);
    const { data: keys } = await t.service.admin.files.keys();
    expect(keys).toEqual({ anon_key: t.stack.keys.anonKey, service_key: t.stack.keys.serviceKey });
  });
});
