// Shared fixtures of the config tests: a temporary working directory per test, files
// written into it, and a helper that expects a CONFIG_INVALID error.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import { AppError } from "../../src-server/errors.ts";

export function useTempCwd(): { cwd(): string; write(name: string, text: string): string } {
  let dir = "";
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxbase-config-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    cwd: () => dir,
    write(name, text) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
  };
}

export function configError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("CONFIG_INVALID");
    return error as AppError;
  }
  throw new Error("expected a CONFIG_INVALID error");
}
