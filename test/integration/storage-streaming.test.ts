// Uploads stream to disk as they arrive (@fastify/multipart for forms): an object larger than
// any in-memory cap goes through whole, a form's file is stopped at the bucket's limit, and
// no spooled file is left behind either way.
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
let headers: Record<string, string>;
const spoolDir = () => path.join(t.config.dataDir, "storage", ".tmp");
const spooled = () => readdir(spoolDir()).catch(() => [] as string[]);

beforeAll(async () => {
  t = await startTestStack();
  headers = { "x-service-key": t.stack.keys.serviceKey };
});
afterAll(() => t?.stop());

/** `total` bytes of a repeating pattern, made as they are read, and their MD5. */
function generated(total: number): { body: ReadableStream<Uint8Array>; md5: () => string } {
  const chunk = Buffer.alloc(1024 * 1024, "0123456789abcdef");
  const hash = createHash("md5");
  let sent = 0;
  const stream = Readable.from(
    (function* () {
      while (sent < total) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        hash.update(part);
        yield part;
      }
    })(),
  );
  return {
    body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
    md5: () => hash.copy().digest("hex"),
  };
}

describe("streamed uploads", () => {
  it("stores a 60 MB raw upload whole (more than the old in-memory cap of 50 MB)", async () => {
    const size = 60 * 1024 * 1024;
    const { body, md5 } = generated(size);
    const res = await fetch(`${t.url}/api/v1/storage/big/data.bin`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(201);
    const object = (await res.json()) as { size: number; etag: string };
    expect(object.size).toBe(size);
    expect(object.etag).toBe(`"${md5()}"`);
    const download = await fetch(`${t.url}/api/v1/storage/big/data.bin`, { headers });
    const got = createHash("md5");
    for await (const part of download.body as unknown as AsyncIterable<Uint8Array>)
      got.update(part);
    expect(got.digest("hex")).toBe(md5());
    expect(await spooled()).toEqual([]);
  });

  it("stops a form's file at the bucket's limit with a 413 and keeps nothing", async () => {
    const create = await fetch(`${t.url}/api/v1/storage/buckets`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "tiny", file_size_limit: 1000 }),
    });
    expect(create.status).toBe(201);
    const form = new FormData();
    form.append("content_type", "text/plain");
    form.append("file", new Blob(["x".repeat(5000)], { type: "text/plain" }), "a.txt");
    const res = await fetch(`${t.url}/api/v1/storage/tiny/a.txt`, {
      method: "POST",
      headers,
      body: form,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ field: "file" });
    expect(await spooled()).toEqual([]);
    const list = await fetch(`${t.url}/api/v1/storage/tiny`, { headers });
    expect(((await list.json()) as { files: unknown[] }).files).toEqual([]);

    const fits = new FormData();
    fits.append("file", new Blob(["small"], { type: "text/plain" }), "b.txt");
    fits.append("upsert", "true");
    const ok = await fetch(`${t.url}/api/v1/storage/tiny/b.txt`, {
      method: "POST",
      headers,
      body: fits,
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ size: 5, mime_type: "text/plain" });
  });
});
