// A checkout whose UI has not been built (a fresh clone before `npm run build`): `/` and
// every other page, the printed sign-in link included, answer an HTML page saying how to
// build it, not a JSON 404; API paths keep their JSON answers; a build that appears while
// the server runs is served at once.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let renderer: string;
let t: TestStack;

beforeAll(async () => {
  renderer = await mkdtemp(path.join(tmpdir(), "fluxbase-unbuilt-"));
  t = await startTestStack({
    rendererDir: path.join(renderer, "out", "renderer"),
    jobsConfig: { embeddedWorkerCount: 0 },
  });
});
afterAll(async () => {
  await t?.stop();
  if (renderer) await rm(renderer, { recursive: true, force: true });
});

async function get(p: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${t.url}${p}`);
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    body: await res.text(),
  };
}

describe("UI not built", () => {
  it("answers `/` and the sign-in link with a page saying how to build the UI", async () => {
    for (const p of ["/", `/?code=${t.stack.uiLoginCode}`, "/jobs"]) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(res.type).toMatch(/^text\/html/);
      expect(res.body).toContain("npm run build");
    }
  });

  it("keeps JSON answers for API paths and missing assets", async () => {
    const api = await get("/api/v1/nothing-here");
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toHaveProperty("error");
    const asset = await get("/assets/index-abc.js");
    expect(asset.status).toBe(404);
    expect(JSON.parse(asset.body)).toHaveProperty("error");
  });

  it("serves a build that appears while the server runs", async () => {
    const dir = path.join(renderer, "out", "renderer");
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "index.html"),
      "<!doctype html><title>built</title><div id=app></div>",
    );
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.body).toContain("<title>built</title>");
  });
});
