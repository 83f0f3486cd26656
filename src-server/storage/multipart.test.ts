import { describe, expect, it } from "vitest";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { mimeAllowed, parseMultipart, parseUpload, readRequestBody } from "./multipart.ts";

function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

describe("readRequestBody", () => {
  it("reads a body up to the limit", async () => {
    const body = await readRequestBody(request([Buffer.from("ab"), Buffer.from("cd")]), 4);
    expect(body.toString()).toBe("abcd");
  });

  it("fails with 413 on a declared or streamed body over the limit", async () => {
    await expect(readRequestBody(request([], { "content-length": "5" }), 4)).rejects.toMatchObject({
      status: 413,
    });
    await expect(
      readRequestBody(request([Buffer.from("abc"), Buffer.from("de")]), 4),
    ).rejects.toMatchObject({ status: 413 });
  });
});

/** Encodes a FormData the way fetch does, so the parser sees what the SDK sends. */
async function encode(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request("http://x/", { method: "POST", body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get("content-type")!,
  };
}

describe("parseMultipart", () => {
  it("reads the SDK's fields and the file bytes, binary included", async () => {
    const bytes = new Uint8Array([0, 13, 10, 45, 45, 255, 1]);
    const form = new FormData();
    form.append("file", new Blob([bytes], { type: "application/x-bin" }), "a.bin");
    form.append("content_type", "application/x-bin");
    form.append("upsert", "true");
    const { body, contentType } = await encode(form);
    const parts = parseMultipart(body, contentType);
    expect(parts.map((p) => p.name)).toEqual(["file", "content_type", "upsert"]);
    expect(parts[0]).toMatchObject({ filename: "a.bin", contentType: "application/x-bin" });
    expect([...parts[0]!.data]).toEqual([...bytes]);
  });

  it("rejects a body without a boundary or with a truncated part", () => {
    expect(() => parseMultipart(Buffer.from("x"), "multipart/form-data")).toThrow(/boundary/);
    const truncated = Buffer.from('--b\r\ncontent-disposition: form-data; name="file"\r\n\r\nabc');
    expect(() => parseMultipart(truncated, "multipart/form-data; boundary=b")).toThrow(/Malformed/);
  });
});

describe("parseUpload", () => {
  it("turns a multipart body into an upload", async () => {
    const form = new FormData();
    form.append("file", new Blob(["hello"], { type: "text/plain" }), "h.txt");
    form.append("cache_control", "max-age=60");
    form.append("metadata", '{"k":1}');
    const { body, contentType } = await encode(form);
    const upload = parseUpload(body, contentType, new URLSearchParams());
    expect(upload).toMatchObject({
      contentType: "text/plain",
      upsert: false,
      cacheControl: "max-age=60",
      metadata: { k: 1 },
    });
    expect(upload.data.toString()).toBe("hello");
  });

  it("needs a file part; takes a raw body as the bytes", () => {
    const noFile = Buffer.from(
      '--b\r\ncontent-disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
    );
    expect(() =>
      parseUpload(noFile, "multipart/form-data; boundary=b", new URLSearchParams()),
    ).toThrow(/file/);
    const raw = parseUpload(
      Buffer.from("{}"),
      "application/json",
      new URLSearchParams("upsert=true"),
    );
    expect(raw).toMatchObject({ contentType: "application/json", upsert: true });
    expect(parseUpload(Buffer.from(""), undefined, new URLSearchParams()).contentType).toBe(
      "application/octet-stream",
    );
  });

  it("rejects metadata that is not a JSON object", () => {
    expect(() =>
      parseUpload(Buffer.from(""), "text/plain", new URLSearchParams("metadata=[1]")),
    ).toThrow(/metadata/);
  });

  it("rejects metadata PostgreSQL cannot store (a \\u0000 escape), naming the key", () => {
    for (const text of ['{"k":"a\\u0000"}', '{"k":["\\ud800"]}', '{"k":1e999}']) {
      const query = new URLSearchParams({ metadata: text });
      expect(() => parseUpload(Buffer.from(""), "text/plain", query), text).toThrow(/^metadata\.k/);
    }
  });
});

describe("mimeAllowed", () => {
  it("matches exact types, wildcards and ignores parameters", () => {
    expect(mimeAllowed("text/plain;charset=utf-8", ["text/plain"])).toBe(true);
    expect(mimeAllowed("image/png", ["image/*"])).toBe(true);
    expect(mimeAllowed("application/json", ["image/*", "text/plain"])).toBe(false);
    expect(mimeAllowed("anything/x", null)).toBe(true);
    expect(mimeAllowed("anything/x", [])).toBe(true);
  });
});
