import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { runSettingsCommand } from "./settings.ts";

describe("settings secrets set", () => {
  it("refuses a value with a NUL byte (read from stdin) before opening any database", async () => {
    const dataDir = path.join(tmpdir(), "fluxbase-never-created");
    const run = runSettingsCommand({
      argv: ["secrets", "set", "API_KEY", "-", "--data-dir", dataDir],
      env: {},
      cwd: tmpdir(),
      print: () => undefined,
      readStdin: async () => "sk_\u0000live",
    });
    await expect(run).rejects.toBeInstanceOf(AppError);
    await expect(run).rejects.toMatchObject({ status: 400, extra: { field: "VALUE" } });
  });
});
