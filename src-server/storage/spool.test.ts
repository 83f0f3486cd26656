import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spoolUpload } from "./spool.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "spool-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));

describe("spoolUpload (raw body)", () => {
  it("streams the body to a file, counting and hashing it, options from the query", async () => {
    const upload = await spoolUpload({
      tmpDir: dir,
      limit: 100,
      contentType: "text/plain",
      query: new URLSearchParams("upsert=true&metadata=%7B%22a%22%3A1%7D"),
      body: chunks("hello ", "world"),
    });
    expect(await readFile(upload.file.path, "utf8")).toBe("hello world");
    expect(upload.file.size).toBe(11);
    expect(upload.file.etag).toBe(`"${createHash("md5").update("hello world").digest("hex")}"`);
    expect(upload).toMatchObject({ contentType: "text/plain", upsert: true, metadata: { a: 1 } });
  });

  it("stops past the limit with a 413 naming the file, leaving no file behind", async () => {
    const body = chunks("abc", "def", "ghi");
    const failed = spoolUpload({
      tmpDir: dir,
      limit: 5,
      contentType: undefined,
      query: new URLSearchParams(),
      body,
    });
    await expect(failed).rejects.toMatchObject({ status: 413, extra: { field: "file" } });
    expect(await readdir(dir)).toEqual([]);
  });

  it("leaves no file behind when the first chunk is already past the limit", async () => {
    // The refusal comes before the file has been opened.
    for (let i = 0; i < 20; i++) {
      const failed = spoolUpload({
        tmpDir: dir,
        limit: 2,
        contentType: undefined,
        query: new URLSearchParams(),
        body: chunks("abcdef"),
      });
      await expect(failed).rejects.toMatchObject({ status: 413 });
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a declared length over the limit before reading", async () => {
    const failed = spoolUpload({
      tmpDir: dir,
      limit: 5,
      contentType: undefined,
      query: new URLSearchParams(),
      body: chunks("abcdefgh"),
      declaredLength: 8,
    });
    await expect(failed).rejects.toMatchObject({ status: 413 });
  });
});
