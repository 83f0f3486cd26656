import { describe, expect, it } from "vitest";
import { contentTypeFor, staticTarget } from "./static.ts";

describe("staticTarget", () => {
  it("maps page and asset paths to files of the UI folder", () => {
    expect(staticTarget("/")).toEqual({ kind: "file", relative: "" });
    expect(staticTarget("/assets/index-abc.js?v=1")).toEqual({
      kind: "file",
      relative: "assets/index-abc.js",
    });
    expect(staticTarget("/runs/42")).toEqual({ kind: "file", relative: "runs/42" });
    expect(staticTarget("/a%20b.txt")).toEqual({ kind: "file", relative: "a b.txt" });
  });

  it("leaves API paths to the API", () => {
    for (const p of ["/api", "/api/v1/jobs/x", "/health", "/realtime", "/realtime/websocket"]) {
      expect(staticTarget(p)).toEqual({ kind: "api" });
    }
    expect(staticTarget("/apix")).toEqual({ kind: "file", relative: "apix" });
  });

  it("refuses paths that could leave the folder", () => {
    for (const p of [
      "/../secret",
      "/assets/../../secret",
      "/%2e%2e/secret",
      "/..%2fsecret",
      "/a%5c..%5csecret",
      "/%00",
      "/%zz",
      "/./x",
    ]) {
      expect(staticTarget(p)).toEqual({ kind: "invalid" });
    }
  });
});

describe("contentTypeFor", () => {
  it("knows the built UI's file types", () => {
    expect(contentTypeFor("index.html")).toBe("text/html; charset=utf-8");
    expect(contentTypeFor("assets/index.JS")).toBe("text/javascript; charset=utf-8");
    expect(contentTypeFor("a.css")).toBe("text/css; charset=utf-8");
    expect(contentTypeFor("a.svg")).toBe("image/svg+xml");
    expect(contentTypeFor("a.bin")).toBe("application/octet-stream");
  });
});
