// The server serves the built UI: index.html at `/` and for app pages, assets with their
// content type, JSON 404s for missing assets and API paths, and nothing outside the folder.
import http from "node:http";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

const INDEX = "<!doctype html><title>Fluxbase Local</title><div id=app></div>";
const SECRET = "top secret, outside the UI folder";

let dir: string;
let t: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "fluxbase-ui-"));
  const renderer = path.join(dir, "renderer");
  await mkdir(path.join(renderer, "assets"), { recursive: true });
  await writeFile(path.join(renderer, "index.html"), INDEX);
  await writeFile(path.join(renderer, "assets", "index-abc.js"), "console.log('ui');");
  await writeFile(path.join(dir, "secret.txt"), SECRET);
  await symlink(path.join(dir, "secret.txt"), path.join(renderer, "link.txt"));
  t = await startTestStack({ rendererDir: renderer, jobsConfig: { embeddedWorkerCount: 0 } });
});
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A request with the path sent as written (fetch would normalise `..` away). */
function rawGet(
  rawPath: string,
  method = "GET",
): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the built UI", () => {
  it("is served at / and for app pages", async () => {
    for (const p of ["/", "/runs/42", "/index.html?x=1"]) {
      const res = await rawGet(p);
      expect(res.status, p).toBe(200);
      expect(res.type).toBe("text/html; charset=utf-8");
      expect(res.body).toBe(INDEX);
    }
    expect((await rawGet("/", "HEAD")).body).toBe("");
  });

  it("serves assets with their type and answers a missing one with a JSON 404", async () => {
    const js = await rawGet("/assets/index-abc.js");
    expect(js.status).toBe(200);
    expect(js.type).toBe("text/javascript; charset=utf-8");
    const missing = await rawGet("/assets/gone.js");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ code: "NOT_FOUND" });
  });

  it("leaves API paths to the API", async () => {
    const res = await rawGet("/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.type).toContain("application/json");
    expect((await rawGet("/health")).type).toContain("application/json");
    expect((await rawGet("/", "POST")).status).toBe(404);
  });

  it("refuses paths that leave the folder", async () => {
    for (const p of [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/assets/..%2f..%2fsecret.txt",
    ]) {
      const res = await rawGet(p);
      expect(res.status, p).toBe(400);
      expect(res.body).not.toContain(SECRET);
    }
    const link = await rawGet("/link.txt");
    expect(link.body).not.toContain(SECRET);
  });
});
