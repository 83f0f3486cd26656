import { describe, expect, it } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse } from "../test/helpers/fake-fetch.ts";

const URL_ = "http://localhost:8080";

function setup(respond: Parameters<typeof fakeFetch>[0]) {
  const fetch = fakeFetch(respond);
  return { fetch, storage: createClient(URL_, { apiKey: "anon" }, { fetch }).storage };
}

describe("client.storage", () => {
  it("upload posts multipart with the file field", async () => {
    const { fetch, storage } = setup(() =>
      jsonResponse({ id: "o1", key: "results/a b.json" }, 201),
    );
    const blob = new Blob(['{"x":1}'], { type: "application/json" });
    const { data, error } = await storage
      .from("exports")
      .upload("results/a b.json", blob, { upsert: true });
    expect(error).toBeNull();
    expect(data).toMatchObject({ id: "o1", path: "results/a b.json" });
    const [req] = fetch.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url.pathname).toBe("/api/v1/storage/exports/results/a%20b.json");
    const form = req?.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    const file = form.get("file") as File;
    expect(await file.text()).toBe('{"x":1}');
    expect(file.name).toBe("a b.json");
    expect(form.get("content_type")).toBe("application/json");
    expect(form.get("upsert")).toBe("true");
  });

  it("upload accepts strings and ArrayBuffers", async () => {
    const { fetch, storage } = setup(() => jsonResponse({}, 201));
    await storage.from("b").upload("a.txt", "hello", { contentType: "text/plain" });
    await storage.from("b").upload("a.bin", new Uint8Array([1, 2, 3]).buffer);
    const first = (fetch.requests[0]?.body as FormData).get("file") as File;
    const second = (fetch.requests[1]?.body as FormData).get("file") as File;
    expect(await first.text()).toBe("hello");
    expect(first.type).toBe("text/plain");
    expect(second.size).toBe(3);
  });

  it("download returns a Blob; errors come back as error", async () => {
    const { fetch, storage } = setup(
      () => new Response("raw bytes", { headers: { "content-type": "text/plain" } }),
    );
    const { data } = await storage.from("temp-files").download("in/data.csv");
    expect(data).toBeInstanceOf(Blob);
    expect(await data?.text()).toBe("raw bytes");
    expect(fetch.requests[0]?.url.pathname).toBe("/api/v1/storage/temp-files/in/data.csv");
    fetch.queue.push(jsonResponse({ error: "Object not found" }, 404));
    const missing = await storage.from("temp-files").download("nope");
    expect(missing.error?.message).toBe("Object not found");
  });

  it("list unwraps {files} and passes prefix/limit/offset", async () => {
    const { fetch, storage } = setup(() => jsonResponse({ files: [{ key: "a.txt" }] }));
    const { data } = await storage.from("user-uploads").list("docs/", { limit: 10, offset: 5 });
    expect(data).toEqual([{ key: "a.txt" }]);
    expect(fetch.requests[0]?.url.toString()).toBe(
      `${URL_}/api/v1/storage/user-uploads?prefix=docs%2F&limit=10&offset=5`,
    );
    await storage.from("user-uploads").list();
    expect(fetch.requests[1]?.url.search).toBe("");
  });

  it("remove deletes each path", async () => {
    const { fetch, storage } = setup(() => new Response(null, { status: 204 }));
    const { data } = await storage.from("b").remove(["a.txt", "dir/b.txt"]);
    expect(data).toEqual(["a.txt", "dir/b.txt"]);
    expect(fetch.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      "DELETE /api/v1/storage/b/a.txt",
      "DELETE /api/v1/storage/b/dir/b.txt",
    ]);
  });

  it("createSignedUrl posts expires_in and returns an absolute URL", async () => {
    const { fetch, storage } = setup(() =>
      jsonResponse({ signed_url: "/api/v1/storage/b/a.txt?token=t" }),
    );
    const { data } = await storage.from("b").createSignedUrl("a.txt", 60);
    expect(data?.signedUrl).toBe(`${URL_}/api/v1/storage/b/a.txt?token=t`);
    expect(fetch.requests[0]?.url.pathname).toBe("/api/v1/storage/b/sign/a.txt");
    expect(fetch.requests[0]?.json).toEqual({ expires_in: 60 });
  });
});
