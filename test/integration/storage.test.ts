// Object storage through the SDK against the real server: RLS on storage.objects decides
// who sees what, bytes live under <dataDir>/storage, and the guide's
// "storage download/process/upload" job runs as its user in Deno.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient, Job } from "../../src-sdk/index.ts";
import { ownerQuery, userIdOf } from "../helpers/app-tables.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

// The guide's handler, with a processFile that counts the lines of the source file.
const processUpload = `/**
 * @fluxbase:timeout 60
 * @fluxbase:description Downloads the user's file, processes it, uploads the result
 */
async function processFile(fileData) {
  const text = await fileData.text();
  return { lines: text.split("\\n").filter(Boolean).length, first: text.split("\\n")[0] };
}

export async function handler(req, fluxbase, fluxbaseService, job) {
  const context = job.getJobContext();
  const { source_file } = context.payload;
  job.reportProgress(10, "Downloading source file...");
  // Download file from user's storage (RLS applies)
  const { data: fileData, error } = await fluxbase.storage
    .from("temp-files")
    .download(source_file);
  if (error) {
    throw new Error(\`Failed to download: \${error.message}\`);
  }
  job.reportProgress(50, "Processing file...");
  const processed = await processFile(fileData);
  job.reportProgress(80, "Uploading result...");
  // Upload result to user's storage
  const resultBlob = new Blob([JSON.stringify(processed)], {
    type: "application/json",
  });
  await fluxbase.storage
    .from("exports")
    .upload(\`results/\${context.job_id}.json\`, resultBlob);
  job.reportProgress(100, "Complete");
  return { success: true, output_file: \`results/\${context.job_id}.json\` };
}
`;

// The guide's other two storage lines: the user's list under RLS, the service role's upload.
const storageReport = `export async function handler(req, fluxbase, fluxbaseService, job) {
  // Access storage (user's permissions apply)
  const { data: files } = await fluxbase.storage.from("user-uploads").list();
  const blob = new Blob([JSON.stringify({ count: files.length })], { type: "application/json" });
  // System-level storage operations
  const { error } = await fluxbaseService.storage.from("system-bucket").upload("report.json", blob);
  if (error) throw new Error(error.message);
  return { visible: files.map((f) => f.name) };
}
`;

let t: TestStack;
let ann: FluxbaseClient;
let bob: FluxbaseClient;
let annId: string;
let storageRoot: string;

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "process-upload.ts": processUpload, "storage-report.ts": storageReport },
  });
  ann = await t.signUp("ann@example.com");
  bob = await t.signUp("bob@example.com");
  annId = await userIdOf(ann);
  storageRoot = path.join(t.config.dataDir, "storage");
});
afterAll(async () => {
  await t?.stop();
});

const names = (files: { name?: string }[] | null) => (files ?? []).map((f) => f.name).sort();
const objectRows = (bucket: string, name: string) =>
  ownerQuery<{ owner: string | null; size: number }>(
    t.database.url,
    "SELECT owner, size FROM storage.objects WHERE bucket_id = $1 AND name = $2",
    [bucket, name],
  );

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("storage", () => {
  it("uploads, downloads, lists, signs and removes an object", async () => {
    const up = await ann.storage
      .from("docs")
      .upload("notes/hello.txt", "hello world", { contentType: "text/plain" });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: "notes/hello.txt", size: 11, owner: annId });
    expect(await listFiles(path.join(storageRoot, "docs"))).toEqual([
      path.join("notes", "hello.txt"),
    ]);

    const down = await ann.storage.from("docs").download("notes/hello.txt");
    expect(await down.data!.text()).toBe("hello world");
    expect(down.data!.type).toBe("text/plain");

    const { data: files } = await ann.storage.from("docs").list("notes/");
    expect(files).toEqual([
      expect.objectContaining({
        name: "notes/hello.txt",
        bucket: "docs",
        size: 11,
        mime_type: "text/plain",
        metadata: {},
      }),
    ]);
    expect(typeof files![0]!.id).toBe("string");

    // Without upsert an existing object is a 409; with it the bytes are replaced.
    expect((await ann.storage.from("docs").upload("notes/hello.txt", "again")).error?.status).toBe(
      409,
    );
    expect(
      (await ann.storage.from("docs").upload("notes/hello.txt", "replaced", { upsert: true }))
        .error,
    ).toBeNull();
    expect(await (await ann.storage.from("docs").download("notes/hello.txt")).data!.text()).toBe(
      "replaced",
    );

    const signed = await ann.storage.from("docs").createSignedUrl("notes/hello.txt", 60);
    expect(signed.error).toBeNull();
    const res = await fetch(signed.data!.signedUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("replaced");
    const forged = new URL(signed.data!.signedUrl);
    forged.searchParams.set("token", `${Math.floor(Date.now() / 1000) + 60}.${"A".repeat(43)}`);
    expect((await fetch(forged)).status).toBe(403);
    expect(
      (await ann.storage.from("docs").createSignedUrl("notes/hello.txt", 0)).error?.status,
    ).toBe(400);

    expect((await ann.storage.from("docs").remove(["notes/hello.txt"])).data).toEqual([
      "notes/hello.txt",
    ]);
    expect((await ann.storage.from("docs").download("notes/hello.txt")).error?.status).toBe(404);
    expect((await ann.storage.from("docs").list()).data).toEqual([]);
    expect(await listFiles(path.join(storageRoot, "docs"))).toEqual([]);
    expect((await fetch(signed.data!.signedUrl)).status).toBe(404);
  });

  it("keeps users to their own objects; the service role sees all", async () => {
    expect((await ann.storage.from("shared").upload("ann.txt", "ann's")).error).toBeNull();
    expect((await bob.storage.from("shared").upload("bob.txt", "bob's")).error).toBeNull();

    expect(names((await ann.storage.from("shared").list()).data)).toEqual(["ann.txt"]);
    expect(names((await bob.storage.from("shared").list()).data)).toEqual(["bob.txt"]);
    expect((await ann.storage.from("shared").download("bob.txt")).error?.status).toBe(404);
    expect((await ann.storage.from("shared").remove(["bob.txt"])).error?.status).toBe(404);
    expect((await ann.storage.from("shared").createSignedUrl("bob.txt", 60)).error?.status).toBe(
      404,
    );
    expect((await ann.storage.from("shared").upload("bob.txt", "mine now")).error?.status).toBe(
      409,
    );
    expect(
      (await ann.storage.from("shared").upload("bob.txt", "mine now", { upsert: true })).error
        ?.status,
    ).toBe(403);
    expect(await (await bob.storage.from("shared").download("bob.txt")).data!.text()).toBe("bob's");
    expect(await objectRows("shared", "bob.txt")).toEqual([
      { owner: await userIdOf(bob), size: 5 },
    ]);

    expect(names((await t.service.storage.from("shared").list()).data)).toEqual([
      "ann.txt",
      "bob.txt",
    ]);
    expect(await (await t.service.storage.from("shared").download("ann.txt")).data!.text()).toBe(
      "ann's",
    );
    expect((await t.anon.storage.from("shared").list()).data).toEqual([]);
    expect((await t.anon.storage.from("shared").download("ann.txt")).error?.status).toBe(404);
    expect((await t.anon.storage.from("shared").upload("anon.txt", "x")).error?.status).toBe(403);
    expect((await t.anon.storage.from("nowhere").upload("anon.txt", "x")).error?.status).toBe(404);
  });

  it("manages buckets as an admin; public buckets are readable by anyone", async () => {
    expect(
      (await fetchJson("POST", "/api/v1/storage/buckets", ann, { name: "public-assets" })).status,
    ).toBe(403);
    const create = await fetchJson("POST", "/api/v1/storage/buckets", "service", {
      name: "public-assets",
      public: true,
    });
    expect(create.status).toBe(201);
    expect(
      (await fetchJson("POST", "/api/v1/storage/buckets", "service", { name: "public-assets" }))
        .status,
    ).toBe(409);

    expect(
      (
        await t.service.storage
          .from("public-assets")
          .upload("logo.svg", "<svg/>", { contentType: "image/svg+xml" })
      ).error,
    ).toBeNull();
    const anonDown = await t.anon.storage.from("public-assets").download("logo.svg");
    expect(await anonDown.data!.text()).toBe("<svg/>");
    expect(names((await t.anon.storage.from("public-assets").list()).data)).toEqual(["logo.svg"]);
    expect(names((await bob.storage.from("public-assets").list()).data)).toEqual(["logo.svg"]);
    // Readable is not writable: the object belongs to the service role.
    expect((await bob.storage.from("public-assets").remove(["logo.svg"])).error?.status).toBe(404);

    const list = await fetchJson("GET", "/api/v1/storage/buckets", "service");
    expect((list.body as { buckets: { name: string; public: boolean }[] }).buckets).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "public-assets", public: true })]),
    );
    expect(
      (await fetchJson("DELETE", "/api/v1/storage/buckets/public-assets", "service")).status,
    ).toBe(204);
    expect(existsSync(path.join(storageRoot, "public-assets"))).toBe(false);
    expect((await t.anon.storage.from("public-assets").download("logo.svg")).error?.status).toBe(
      404,
    );
  });

  it("rejects oversized and disallowed uploads without storing anything", async () => {
    const create = await fetchJson("POST", "/api/v1/storage/buckets", "service", {
      name: "small",
      file_size_limit: 1024,
      allowed_mime_types: ["text/*"],
    });
    expect(create.status).toBe(201);
    const big = await ann.storage
      .from("small")
      .upload("big.txt", "x".repeat(2048), { contentType: "text/plain" });
    expect(big.error?.status).toBe(413);
    const wrongType = await ann.storage
      .from("small")
      .upload("img.png", new Uint8Array([1, 2]), { contentType: "image/png" });
    expect(wrongType.error?.status).toBe(400);
    expect(await objectRows("small", "big.txt")).toEqual([]);
    expect(await objectRows("small", "img.png")).toEqual([]);
    expect(await listFiles(storageRoot)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/big\.txt|img\.png/)]),
    );
    expect(
      (await ann.storage.from("small").upload("ok.txt", "fits", { contentType: "text/plain" }))
        .error,
    ).toBeNull();
  });

  it("rejects paths that leave the bucket and writes nothing", async () => {
    const before = await listFiles(storageRoot);
    const upload = (rawPath: string) =>
      tokenOf(ann).then((token) =>
        fetch(`${t.url}/api/v1/storage/docs/${rawPath}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
          body: "escape",
        }),
      );
    // Encoded slashes survive URL parsing, so the handler sees the '..' segments.
    for (const bad of [
      "..%2F..%2Fescape.txt",
      "a/..%2F..%2F..%2Fescape.txt",
      "a%5C..%5Cb.txt",
      "a%00b.txt",
      "%2Fetc%2Fpasswd",
    ]) {
      const res = await upload(bad);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { field?: string }).field).toBe("path");
    }
    // Plain or %2E-encoded '..' segments are resolved by URL parsing (client and server)
    // before routing: the request never names an object, so it cannot succeed.
    expect((await upload("%2E%2E/%2E%2E/escape.txt")).ok).toBe(false);
    expect((await ann.storage.from("docs").upload("../escape.txt", "x")).error).not.toBeNull();
    expect((await ann.storage.from("docs").upload("x".repeat(1025), "long")).error?.status).toBe(
      400,
    );
    // The table refuses such names too, for rows written through the data API.
    const samples = [
      "a/b.txt",
      "..hidden/x..y",
      "../x",
      "a/..",
      "/a",
      "a//b",
      "a\\b",
      "a/./b",
      "a/",
    ];
    const checked = await ownerQuery<{ n: string; ok: boolean }>(
      t.database.url,
      `SELECT n, n !~ '^/|//|/$|\\\\|(^|/)\\.\\.?(/|$)' AS ok FROM unnest($1::text[]) n`,
      [samples],
    );
    expect(checked.filter((r) => r.ok).map((r) => r.n)).toEqual(["a/b.txt", "..hidden/x..y"]);
    await expect(
      ownerQuery(
        t.database.url,
        "INSERT INTO storage.objects (bucket_id, name) VALUES ('docs', '../x')",
      ),
    ).rejects.toMatchObject({ code: "23514" });
    expect(await listFiles(storageRoot)).toEqual(before);
    const everything = await listFiles(path.dirname(t.config.dataDir));
    expect(everything.filter((f) => f.includes("escape"))).toEqual([]);
  });

  it("accepts a raw body with its Content-Type", async () => {
    const res = await fetch(`${t.url}/api/v1/storage/raw/data.json`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await tokenOf(bob)}`,
        "content-type": "application/json",
      },
      body: '{"a":1}',
    });
    expect(res.status).toBe(201);
    const down = await bob.storage.from("raw").download("data.json");
    expect(down.data!.type).toBe("application/json");
    expect(await down.data!.text()).toBe('{"a":1}');
  });

  it("runs the guide's storage download/process/upload job as the submitting user", async () => {
    expect(
      (await ann.storage.from("temp-files").upload("input.csv", "a,b\n1,2\n3,4\n")).error,
    ).toBeNull();
    const job = await runJob(ann, "process-upload", { source_file: "input.csv" });
    expect(job.error_message ?? null).toBeNull();
    const output = `results/${job.id}.json`;
    expect(job.result).toEqual({ success: true, output_file: output });

    const result = await ann.storage.from("exports").download(output);
    expect(JSON.parse(await result.data!.text())).toEqual({ lines: 3, first: "a,b" });
    expect(await objectRows("exports", output)).toEqual([
      expect.objectContaining({ owner: annId }),
    ]);
    expect((await bob.storage.from("exports").download(output)).error?.status).toBe(404);
  });

  it("lists only the user's uploads in a job, and uploads as the service role with fluxbaseService", async () => {
    expect(
      (await ann.storage.from("user-uploads").upload("ann.png", new Uint8Array([1]))).error,
    ).toBeNull();
    expect(
      (await bob.storage.from("user-uploads").upload("bob.png", new Uint8Array([2]))).error,
    ).toBeNull();
    const job = await runJob(ann, "storage-report", {});
    expect(job.error_message ?? null).toBeNull();
    expect(job.result).toEqual({ visible: ["ann.png"] });
    expect(await objectRows("system-bucket", "report.json")).toEqual([{ owner: null, size: 11 }]);
    expect((await ann.storage.from("system-bucket").download("report.json")).error?.status).toBe(
      404,
    );
    const report = await t.service.storage.from("system-bucket").download("report.json");
    expect(JSON.parse(await report.data!.text())).toEqual({ count: 1 });
  });
});

/** Submits as `client` and waits for the job to complete or fail. */
async function runJob(
  client: FluxbaseClient,
  name: string,
  payload: Record<string, unknown>,
): Promise<Job> {
  const { data: submitted, error } = await client.jobs.submit(name, payload);
  if (error) throw error;
  return waitFor(
    async () => {
      const { data } = await client.jobs.get(submitted!.id);
      return data && ["completed", "failed"].includes(data.status) ? data : undefined;
    },
    { what: `job ${name} to finish` },
  );
}

async function tokenOf(client: FluxbaseClient): Promise<string> {
  const { data } = await client.auth.getSession();
  return data!.session!.access_token;
}

async function fetchJson(
  method: string,
  url: string,
  who: FluxbaseClient | "service",
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> =
    who === "service"
      ? { "x-service-key": t.stack.keys.serviceKey }
      : { authorization: `Bearer ${await tokenOf(who)}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${t.url}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
