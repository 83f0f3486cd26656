import { describe, expect, it } from "vitest";
import { createRouter, type Handler } from "./router.ts";

const handler: Handler = async () => undefined;

describe("createRouter", () => {
  it("matches fixed segments and decodes :params", () => {
    const router = createRouter();
    router.add("GET", "/api/v1/jobs/:id", [], handler);
    const match = router.match("GET", "/api/v1/jobs/a%20b");
    expect(match).toMatchObject({ params: { id: "a b" } });
    expect(router.match("GET", "/api/v1/jobs/a/b")).toBeUndefined();
    expect(router.match("POST", "/api/v1/jobs/a")).toBe("method");
  });

  it("captures the rest of the path with a trailing *name, decoding each segment", () => {
    const router = createRouter();
    router.add("GET", "/files/:bucket/*path", [], handler);
    expect(router.match("GET", "/files/b/a/b%20c/d.txt")).toMatchObject({
      params: { bucket: "b", path: "a/b c/d.txt" },
    });
    expect(router.match("GET", "/files/b/one")).toMatchObject({ params: { path: "one" } });
    // The wildcard needs at least one segment.
    expect(router.match("GET", "/files/b")).toBeUndefined();
    // An encoded slash or dot-dot is decoded: the handler validates the result.
    expect(router.match("GET", "/files/b/x%2F..%2Fy")).toMatchObject({
      params: { path: "x/../y" },
    });
  });

  it("prefers the first registered route when a fixed and a wildcard route both match", () => {
    const router = createRouter();
    const first: Handler = async () => "first";
    router.add("GET", "/s/object/sign/:bucket/*path", [], first);
    router.add("GET", "/s/:bucket/*path", [], handler);
    const match = router.match("GET", "/s/object/sign/b/p");
    expect(match !== "method" && match?.route.handler).toBe(first);
    expect(router.match("GET", "/s/other/sign/b/p")).toMatchObject({
      params: { bucket: "other", path: "sign/b/p" },
    });
  });

  it("lists every route as registered", () => {
    const router = createRouter();
    router.add("GET", "/a/:id", [], handler);
    router.add("PUT", "/b/*path", [], handler);
    expect(router.routes()).toEqual([
      { method: "GET", pattern: "/a/:id" },
      { method: "PUT", pattern: "/b/*path" },
    ]);
  });
});
