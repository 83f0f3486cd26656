// The API describes itself: GET /api/v1/openapi.json lists every route the router knows
// (from the same schemas that check requests), every documented operation answers, the
// schemas refuse bad input naming the field, and /docs serves the interactive reference.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "../../src-server/http/route-schema.ts";
import { routeSchemas } from "../../src-server/http/schemas/index.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
interface Document {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; name?: string; scheme?: string }> };
}

let t: TestStack;
let doc: Document;

/** The server ignores a trailing slash, so `/api/v1/jobs/` is the operation of `/api/v1/jobs`. */
const documentedPath = (pattern: string) => openApiPath(pattern).replace(/(.)\/$/, "$1");

beforeAll(async () => {
  t = await startTestStack();
  const res = await fetch(`${t.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});
afterAll(() => t?.stop());

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with the local server and the three credentials", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers?.[0]?.url).toBe(t.url);
    const schemes = doc.components.securitySchemes;
    expect(schemes.anonKey).toMatchObject({ type: "apiKey", in: "header", name: "apikey" });
    expect(schemes.serviceKey).toMatchObject({ type: "apiKey", name: "x-service-key" });
    expect(schemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents every route the router knows, each with a schema of its own", () => {
    const routes = t.stack.routes;
    expect(routes.length).toBeGreaterThan(60);
    const missing = routes.filter(
      ({ method, pattern }) => !doc.paths[documentedPath(pattern)]?.[method.toLowerCase()],
    );
    expect(missing).toEqual([]);
    const withoutSchema = routes.filter(
      ({ method, pattern }) => !routeSchemas[`${method} ${pattern}`],
    );
    expect(withoutSchema).toEqual([]);
    const known = new Set(routes.map(({ method, pattern }) => `${method} ${pattern}`));
    expect(Object.keys(routeSchemas).filter((key) => !known.has(key))).toEqual([]);
  });

  it("names every operation with a unique operationId, as client generators need", () => {
    const ids = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(ids.length).toBeGreaterThan(60);
    const wellFormed = /^[a-z][A-Za-z0-9]*(-head)?$/;
    expect(ids.filter((id) => typeof id !== "string" || !wellFormed.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(doc.paths["/api/v1/jobs/{id}"]!.get!.operationId).toBe("getJobsById");
    expect(doc.paths["/api/v1/jobs/submit"]!.post!.operationId).toBe("postJobsSubmit");
    const rows = doc.paths["/api/v1/tables/{schema}/{table}"]!;
    expect([rows.get!.operationId, rows.head!.operationId]).toEqual([
      "getTablesBySchemaByTable",
      "getTablesBySchemaByTable-head",
    ]);
  });

  it("gives each operation its credentials, path parameters and error bodies", () => {
    const submit = doc.paths["/api/v1/jobs/submit"]!.post!;
    expect(submit.security).toEqual([{ bearer: [] }, { serviceKey: [] }, { anonKey: [] }]);
    expect(submit.requestBody).toBeDefined();
    expect(Object.keys(submit.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "400", "401", "413"]),
    );
    const adminGet = doc.paths["/api/v1/admin/jobs/queue/{id}"]!.get!;
    expect(adminGet.security).toEqual([{ bearer: [] }, { serviceKey: [] }]);
    expect(adminGet.parameters).toContainEqual(expect.objectContaining({ in: "path", name: "id" }));
    expect(doc.paths["/health"]!.get!.security).toEqual([]);
    const download = doc.paths["/api/v1/storage/{bucket}/{path}"]!.get!;
    expect(download.parameters?.map((p) => p.name).sort()).toEqual(["bucket", "path"]);
  });

  it("documents the bodies and queries of the SDK-compatible, replay and debug routes", () => {
    const op = (path: string, method: string) => doc.paths[path]?.[method];
    for (const [path, method] of [
      ["/api/v1/tables/{table}/query", "post"],
      ["/api/v1/tables/{schema}/{table}/query", "post"],
      ["/api/v1/secrets", "post"],
      ["/api/v1/secrets/by-name/{name}", "put"],
      ["/api/v1/admin/realtime/tables", "post"],
      ["/api/v1/admin/users/{id}/role", "patch"],
      ["/api/v1/jobs/{id}/replay", "post"],
      ["/api/v1/jobs/functions/{namespace}/{name}/payloads/{payload}", "put"],
      ["/api/v1/storage/buckets/{name}", "post"],
      ["/api/v1/admin/debug/runs", "post"],
      ["/api/v1/admin/debug/runs/{id}/evaluate", "post"],
    ] as const)
      expect(op(path, method)?.requestBody, `${method} ${path}`).toBeDefined();
    const names = (path: string, method: string) =>
      (op(path, method)?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
    expect(names("/api/v1/secrets/by-name/{name}", "get")).toEqual(["namespace"]);
    expect(names("/api/v1/admin/realtime/tables", "get")).toEqual(["enabled"]);
    expect(names("/api/v1/admin/debug/runs/{id}/properties", "get")).toEqual(["object_id"]);
    expect(op("/api/v1/admin/settings/user/{id}/secret/{key}/decrypt", "get")?.security).toEqual([
      { bearer: [] },
      { serviceKey: [] },
    ]);
  });

  it("answers every documented operation (no 404 or 405 from the router)", async () => {
    const unrouted: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const url = t.url + path.replace(/\{[^}]+\}/g, "fuzz-x");
        const res = await fetch(url, {
          method: method.toUpperCase(),
          headers: {
            "x-service-key": t.stack.keys.serviceKey,
            ...(["post", "put", "patch"].includes(method)
              ? { "content-type": "application/json" }
              : {}),
          },
          body: ["post", "put", "patch"].includes(method) ? "{}" : undefined,
        });
        const text = await res.text();
        const routerRefusal =
          res.status === 405 ||
          (res.status === 404 &&
            text.includes('"code":"NOT_FOUND"') &&
            text.includes("Not found: /"));
        if (routerRefusal || res.status >= 500)
          unrouted.push(`${method} ${path}: ${res.status} ${text}`);
      }
    }
    expect(unrouted).toEqual([]);
  });
});

describe("the schemas check requests", () => {
  it("refuses a body field of the wrong type with a 400 naming it", async () => {
    const res = await fetch(`${t.url}/api/v1/auth/signin`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a@b.c", password: 12345 }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      field: "password",
      error: expect.stringContaining("password"),
    });
  });

  it("refuses a wrong type deep in a body, naming the path", async () => {
    const res = await fetch(`${t.url}/api/v1/admin/jobs/sync`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-service-key": t.stack.keys.serviceKey },
      body: JSON.stringify({ namespace: "n", jobs: [{ name: "a", code: "x" }, { name: 7 }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: "jobs[1].name" });
  });
});

describe("every answer", () => {
  it("carries CORS and the request id; a preflight is a 204", async () => {
    const preflight = await fetch(`${t.url}/api/v1/jobs/submit`, {
      method: "OPTIONS",
      headers: { "x-request-id": "req-42" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("x-request-id")).toBe("req-42");
    const missing = await fetch(`${t.url}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await missing.json()).toMatchObject({ code: "NOT_FOUND" });
    const wrongMethod = await fetch(`${t.url}/api/v1/jobs/submit`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
  });
});

describe("the API reference at /docs", () => {
  it("serves swagger-ui from the package, with the token hand-over script", async () => {
    const page = await fetch(`${t.url}/docs`, { redirect: "follow" });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("swagger-ui-bundle.js");
    expect(html).toContain("theme/preauthorize.js");
    const bundle = await fetch(`${t.url}/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    const script = await (await fetch(`${t.url}/docs/static/theme/preauthorize.js`)).text();
    expect(script).toContain('preauthorizeApiKey("bearer"');
    const json = (await (await fetch(`${t.url}/docs/json`)).json()) as Document;
    expect(Object.keys(json.paths)).toEqual(Object.keys(doc.paths));
  });
});
