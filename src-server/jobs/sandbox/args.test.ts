import { describe, expect, it } from "vitest";
import type { JobRunSpec } from "../worker/runtime.ts";
import {
  apiHostPort,
  buildDenoArgs,
  buildJobEnv,
  buildSpawnEnv,
  DEFAULT_PERMISSIONS,
} from "./args.ts";

const base = {
  serverUrl: "http://127.0.0.1:8080",
  deniedPaths: ["/cache", "/data"],
  entryPath: "/app/main.ts",
};

function spec(overrides: Partial<JobRunSpec> = {}): JobRunSpec {
  return {
    jobId: "job-1",
    jobName: "report",
    namespace: "default",
    functionId: "fn-1",
    functionVersion: 1,
    code: "",
    payload: {},
    retryCount: 0,
    user: null,
    permissions: DEFAULT_PERMISSIONS,
    env: {},
    serverUrl: "http://127.0.0.1:8080",
    userToken: "user-token",
    serviceToken: "service-token",
    secrets: { user: {}, system: {} },
    ...overrides,
  };
}

describe("buildDenoArgs", () => {
  it("grants the default permissions, reads nothing and denies the protected paths", () => {
    const args = buildDenoArgs({ ...base, permissions: DEFAULT_PERMISSIONS, envNames: [] });
    expect(args).toEqual([
      "run",
      "--no-prompt",
      "--no-config",
      "--quiet",
      "--v8-flags=--max-old-space-size=256",
      "--allow-net",
      "--allow-env",
      "--deny-read=/cache,/data",
      "--deny-write=/cache,/data",
      "/app/main.ts",
    ]);
  });

  it("without allow_net reaches only the API and loads only cached modules", () => {
    const permissions = { ...DEFAULT_PERMISSIONS, allowNet: false };
    const args = buildDenoArgs({ ...base, permissions, envNames: [] });
    expect(args).toContain("--allow-net=127.0.0.1:8080");
    expect(args).toContain("--cached-only");
    expect(args).not.toContain("--allow-net");
  });

  it("with allow_net denies what it is told; names hosts alongside the API without it", () => {
    const withNet = buildDenoArgs({
      ...base,
      permissions: DEFAULT_PERMISSIONS,
      envNames: [],
      deniedNet: ["10.0.0.0/8", "[::1]"],
    });
    expect(withNet).toContain("--deny-net=10.0.0.0/8,[::1]");
    const permissions = {
      ...DEFAULT_PERMISSIONS,
      allowNet: false,
      allowNetHosts: ["10.1.2.3:5432"],
    };
    const without = buildDenoArgs({
      ...base,
      permissions,
      envNames: [],
      deniedNet: ["10.0.0.0/8"],
    });
    expect(without).toContain("--allow-net=127.0.0.1:8080,10.1.2.3:5432");
    expect(without.join(" ")).not.toContain("--deny-net");
  });

  it("without allow_env allows exactly the injected names, sorted", () => {
    const permissions = { ...DEFAULT_PERMISSIONS, allowEnv: false };
    const args = buildDenoArgs({
      ...base,
      permissions,
      envNames: ["FLUXBASE_URL", "FLUXBASE_JOB_ID", "FLUXBASE_URL"],
    });
    expect(args).toContain("--allow-env=FLUXBASE_JOB_ID,FLUXBASE_URL");
  });

  it("grants read, write and memory as asked, never run, ffi or sys", () => {
    const permissions = {
      ...DEFAULT_PERMISSIONS,
      allowRead: true,
      allowWrite: true,
      memoryLimitMb: 64,
    };
    const args = buildDenoArgs({ ...base, permissions, envNames: [] });
    expect(args).toContain("--allow-read");
    expect(args).toContain("--allow-write");
    expect(args).toContain("--deny-read=/cache,/data");
    expect(args).toContain("--deny-write=/cache,/data");
    expect(args).toContain("--v8-flags=--max-old-space-size=64");
    expect(args.join(" ")).not.toMatch(/allow-(run|ffi|sys|all)|-A\b/);
  });
});

describe("apiHostPort", () => {
  it("fills in the scheme's default port", () => {
    expect(apiHostPort("http://localhost:3000/")).toBe("localhost:3000");
    expect(apiHostPort("https://api.example.com")).toBe("api.example.com:443");
    expect(apiHostPort("http://[::1]:9000")).toBe("[::1]:9000");
  });
});

describe("buildSpawnEnv", () => {
  it("starts from scratch: no server secrets, only the passthrough list", () => {
    const env = buildSpawnEnv(
      { rootDir: "/c", denoDir: "/c/deno", homeDir: "/c/home" },
      {
        PATH: "/bin",
        DATABASE_URL: "postgres://x",
        FLUXBASE_AUTH_JWT_SECRET: "s",
        SSL_CERT_FILE: "/ca.pem",
      },
    );
    expect(env).toMatchObject({
      PATH: "/bin",
      HOME: "/c/home",
      DENO_DIR: "/c/deno",
      SSL_CERT_FILE: "/ca.pem",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.FLUXBASE_AUTH_JWT_SECRET).toBeUndefined();
  });

  it("gives each sandbox one malloc arena, whatever the host sets", () => {
    const env = buildSpawnEnv(
      { rootDir: "/c", denoDir: "/c/deno", homeDir: "/c/home" },
      { PATH: "/bin", MALLOC_ARENA_MAX: "8" },
    );
    expect(env.MALLOC_ARENA_MAX).toBe("1");
  });
});

describe("buildJobEnv", () => {
  it("adds the job's variables, which win over the caller's", () => {
    const env = buildJobEnv(
      spec({
        env: { FLUXBASE_EXTERNAL_API_KEY: "k", FLUXBASE_JOB_ID: "forged", DATABASE_URL: "x" },
      }),
    );
    expect(env).toEqual({
      FLUXBASE_EXTERNAL_API_KEY: "k",
      FLUXBASE_URL: "http://127.0.0.1:8080",
      FLUXBASE_JOB_ID: "job-1",
      FLUXBASE_JOB_NAME: "report",
      FLUXBASE_JOB_NAMESPACE: "default",
      FLUXBASE_JOB_CANCELLED: "false",
      FLUXBASE_JOB_TOKEN: "user-token",
      FLUXBASE_SERVICE_TOKEN: "service-token",
    });
  });
});
