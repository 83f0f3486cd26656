// Storage as upstream SDKs call it, on the wire: a bucket is created by name with no body, and
// signed URLs are absolute (they work from Node and from other origins as they are).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.stop();
});

const service = () => ({ apikey: t.stack.keys.serviceKey });

describe("storage, upstream wire shapes", () => {
  it("POST /api/v1/storage/buckets/:bucket with no body creates the bucket", async () => {
    const res = await fetch(`${t.url}/api/v1/storage/buckets/by-name`, {
      method: "POST",
      headers: service(),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: "by-name", name: "by-name", public: false });
    const again = await fetch(`${t.url}/api/v1/storage/buckets/by-name`, {
      method: "POST",
      headers: service(),
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: expect.stringMatching(/exists/) });

    // Upstream's SDK sends its JSON content type even with no body.
    const typedEmpty = await fetch(`${t.url}/api/v1/storage/buckets/typed-empty`, {
      method: "POST",
      headers: { ...service(), "content-type": "application/json" },
    });
    expect(typedEmpty.status).toBe(201);
    expect(await typedEmpty.json()).toMatchObject({ name: "typed-empty", public: false });

    const withBody = await fetch(`${t.url}/api/v1/storage/buckets/open-one`, {
      method: "POST",
      headers: { ...service(), "content-type": "application/json" },
      body: JSON.stringify({ public: true, allowed_mime_types: ["text/plain"] }),
    });
    expect(withBody.status).toBe(201);
    const list = (await (
      await fetch(`${t.url}/api/v1/storage/buckets`, { headers: service() })
    ).json()) as { buckets: { name: string; public: boolean }[] };
    expect(list.buckets.map((b) => [b.name, b.public])).toEqual(
      expect.arrayContaining([
        ["by-name", false],
        ["open-one", true],
      ]),
    );
    const anon = await fetch(`${t.url}/api/v1/storage/buckets/nope`, {
      method: "POST",
      headers: { apikey: t.stack.keys.anonKey },
    });
    expect(anon.status).toBeGreaterThanOrEqual(401);
    expect(anon.status).toBeLessThan(404);
  });

  it("answers absolute signed URLs that open the object from anywhere", async () => {
    const upload = await fetch(`${t.url}/api/v1/storage/by-name/dir/hello.txt`, {
      method: "POST",
      headers: { ...service(), "content-type": "text/plain" },
      body: "hello",
    });
    expect(upload.status).toBe(201);
    const sign = await fetch(`${t.url}/api/v1/storage/by-name/sign/dir/hello.txt`, {
      method: "POST",
      headers: { ...service(), "content-type": "application/json" },
      body: JSON.stringify({ expires_in: 60 }),
    });
    const { signed_url } = (await sign.json()) as { signed_url: string };
    expect(
      signed_url.startsWith(`${t.url}/api/v1/storage/object/sign/by-name/dir/hello.txt?`),
    ).toBe(true);
    const download = await fetch(signed_url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("hello");
  });

  it("builds signed URLs on FLUXBASE_PUBLIC_URL when set (a proxy's address)", async () => {
    const proxied = await startTestStack({ publicUrl: "https://files.example.test/fluxbase/" });
    try {
      const headers = { apikey: proxied.stack.keys.serviceKey };
      await fetch(`${proxied.url}/api/v1/storage/buckets/behind`, { method: "POST", headers });
      await fetch(`${proxied.url}/api/v1/storage/behind/a.txt`, {
        method: "POST",
        headers: { ...headers, "content-type": "text/plain" },
        body: "proxied",
      });
      const { data, error } = await proxied.service.storage
        .from("behind")
        .createSignedUrl("a.txt", 60);
      expect(error).toBeNull();
      const prefix = "https://files.example.test/fluxbase/api/v1/storage/object/sign/behind/a.txt?";
      expect(data!.signedUrl.startsWith(prefix)).toBe(true);
      // The proxy forwards the path as is: the same URL on the server itself opens the object.
      const direct = data!.signedUrl.replace("https://files.example.test/fluxbase", proxied.url);
      expect(await (await fetch(direct)).text()).toBe("proxied");
    } finally {
      await proxied.stop();
    }
  });
});
