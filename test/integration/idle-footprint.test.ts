// What a started server holds before anyone asks for anything (docs/architecture.md, "Staying
// responsive under load"): the packages only the API document, the reference page or a
// schema compiler need are not loaded at start, and load when that first request comes.
// Each integration file runs in a process of its own, so Node's module cache here is this
// stack's.
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

const moduleCache = createRequire(import.meta.url).cache;

/** The packages (by node_modules folder) that have a file in Node's module cache. */
function loadedPackages(names: readonly string[]): string[] {
  const files = Object.keys(moduleCache);
  return names.filter((name) => files.some((file) => file.includes(`/node_modules/${name}/`)));
}

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(() => t?.stop());

describe("a started server, before any request", () => {
  it("has not loaded Fastify's schema compilers (requests are checked by route-schema.ts)", () => {
    // (Fastify itself loads fast-json-stringify's serializer runtime, not its compiler.)
    expect(
      loadedPackages([
        "ajv",
        "ajv-formats",
        "@fastify/ajv-compiler",
        "@fastify/fast-json-stringify-compiler",
      ]),
    ).toEqual([]);
  });

  it("loads the OpenAPI tooling on the first request for the document", async () => {
    const docTooling = ["@fastify/swagger", "yaml", "json-schema-resolver"];
    expect(loadedPackages(docTooling)).toEqual([]);
    const res = await fetch(`${t.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
    expect(loadedPackages(docTooling)).toEqual(docTooling);
  });
});
