import { describe, expect, it } from "vitest";
import type { FunctionRow } from "../../db/queries/functions.ts";
import type { FunctionVersionRow } from "../../db/queries/replays.ts";
import { functionAtVersion } from "./kept-code.ts";

const today = {
  id: "f1",
  version: 5,
  code: "new code",
  original_code: "new code",
  timeout_seconds: 60,
  progress_timeout_seconds: 30,
  max_retries: 3,
  memory_limit_mb: 512,
  allow_net: true,
  allow_net_hosts: ["db.internal"],
  allow_env: true,
  allow_read: true,
  allow_write: true,
  disable_execution_logs: true,
} as FunctionRow;

const settings = {
  timeout_seconds: 5,
  progress_timeout_seconds: 10,
  max_retries: 0,
  memory_limit_mb: 128,
  allow_net: false,
  allow_net_hosts: [],
  allow_env: false,
  allow_read: false,
  allow_write: false,
  disable_execution_logs: false,
};

describe("functionAtVersion", () => {
  it("runs a kept version with its own code, timeouts, retries, memory and permissions", () => {
    const kept: FunctionVersionRow = {
      function_id: "f1",
      version: 2,
      code: "old code",
      original_code: "old code",
      created_at: new Date(),
      ...settings,
    };
    expect(functionAtVersion(today, kept)).toMatchObject({
      id: "f1",
      version: 2,
      code: "old code",
      ...settings,
    });
  });

  it("takes today's setting where the version kept none (kept before settings were)", () => {
    const kept = {
      function_id: "f1",
      version: 1,
      code: "first code",
      original_code: null,
      created_at: new Date(),
      ...Object.fromEntries(Object.keys(settings).map((k) => [k, null])),
    } as FunctionVersionRow;
    const fn = functionAtVersion(today, kept);
    expect(fn.code).toBe("first code");
    expect(fn.timeout_seconds).toBe(60);
    expect(fn.allow_net_hosts).toEqual(["db.internal"]);
    expect(fn.memory_limit_mb).toBe(512);
  });
});
