// POST /api/v1/admin/jobs/check: the server's portability rules, as the IDE shows them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ jobsConfig: { embeddedWorkerCount: 0 } });
});
afterAll(async () => {
  await t?.stop();
});

describe("portability check", () => {
  it("warns about constructs that break upstream, and about nothing in a clean file", async () => {
    const source = [
      "/**",
      " * @fluxbase:schedule 0 2 * * *",
      " * @fluxbase:description nightly",
      " */",
      "export default async function (req, fluxbase, svc, job) {",
      '  await fluxbase.from("app.orders").select();',
      "  job.reportProgress(1 / 3);",
      "  return [1, 2];",
      "}",
    ].join("\n");
    const { data, error } = await t.service.admin.jobs.checkPortability(source, {
      fileName: "x.ts",
    });
    expect(error).toBeNull();
    expect(data!.map((w) => w.rule)).toEqual(
      expect.arrayContaining([
        "schedule-followed-by-comment",
        "description-ignored",
        "anonymous-default-export",
        "schema-qualified-from",
        "fractional-progress",
        "non-object-result",
      ]),
    );
    const clean = await t.service.admin.jobs.checkPortability(
      "export async function handler() {\n  return { ok: true };\n}\n",
    );
    expect(clean.data).toEqual([]);
    const subMinute = await t.service.admin.jobs.checkPortability(
      "// @fluxbase:schedule * * * * * *\nexport async function handler() {}",
    );
    expect(subMinute.data!.map((w) => w.rule)).toContain("schedule-sub-minute");
  });

  it("returns where the code does not build, with its line and column", async () => {
    const broken = await t.service.admin.jobs.checkFile(
      "export async function handler() {\n  const x = {;\n}\n",
      {
        fileName: "broken.ts",
      },
    );
    expect(broken.error).toBeNull();
    expect(broken.data!.build_errors).toEqual([expect.objectContaining({ line: 2, column: 14 })]);
    const fine = await t.service.admin.jobs.checkFile(
      "export async function handler() {\n  return { ok: true };\n}\n",
    );
    expect(fine.data).toEqual({ warnings: [], build_errors: [] });
  });

  it("flags a */ inside a block-comment annotation on its line", async () => {
    const source =
      "/**\n * @fluxbase:schedule */20 * * * * *\n */\nexport async function handler() {}\n";
    const { data } = await t.service.admin.jobs.checkFile(source, { fileName: "every20.ts" });
    expect(data!.warnings).toContainEqual(
      expect.objectContaining({ line: 2, rule: "comment-closed-by-value" }),
    );
  });

  it("answers 400 naming code when it is missing, and 403 to a user", async () => {
    const res = await fetch(`${t.url}/api/v1/admin/jobs/check`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${t.stack.keys.serviceKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ file_name: "x.ts" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: "code" });
    const user = await t.signUp("ann@example.com");
    expect(
      (await user.admin.jobs.checkPortability("export function handler() {}")).error?.status,
    ).toBe(403);
  });
});
