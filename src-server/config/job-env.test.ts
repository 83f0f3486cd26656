import { describe, it, expect } from "vitest";
import { isJobEnvName, jobEnvFrom } from "./job-env.ts";

describe("jobEnvFrom", () => {
  it("passes custom FLUXBASE_* variables, including the guide's FLUXBASE_EXTERNAL_API_KEY", () => {
    const env = {
      FLUXBASE_EXTERNAL_API_KEY: "k",
      FLUXBASE_JOBS_DIR: "./jobs",
      FLUXBASE_FEATURE_FLAG: "on",
      HOME: "/home/u",
      PATH: "/bin",
      fluxbase_lower: "x",
      FLUXBASE_UNSET: undefined,
    };
    expect(jobEnvFrom(env)).toEqual({
      FLUXBASE_EXTERNAL_API_KEY: "k",
      FLUXBASE_JOBS_DIR: "./jobs",
      FLUXBASE_FEATURE_FLAG: "on",
    });
  });

  it("blocks the server's secrets and keys", () => {
    for (const name of [
      "FLUXBASE_JWT_SECRET",
      "FLUXBASE_AUTH_JWT_SECRET",
      "FLUXBASE_SERVICE_KEY",
      "FLUXBASE_SERVICE_ROLE_KEY",
      "FLUXBASE_ANON_KEY",
      "FLUXBASE_ENCRYPTION_KEY",
      "FLUXBASE_SECURITY_SETUP_TOKEN",
      "FLUXBASE_STORAGE_S3_ACCESS_KEY",
      "FLUXBASE_STORAGE_S3_SECRET_KEY",
      "FLUXBASE_DATABASE_URL",
      "FLUXBASE_DATABASE_HOST",
      "FLUXBASE_DATABASE_ADMIN_PASSWORD",
      "FLUXBASE_EMAIL_SMTP_PASSWORD",
      "FLUXBASE_SECRET_STRIPE",
      "FLUXBASE_WEBHOOK_SECRET",
      "FLUXBASE_CUSTOM_JWT",
      "FLUXBASE_URL",
      "FLUXBASE_JOB_ID",
      "DATABASE_URL",
    ]) {
      expect(isJobEnvName(name), name).toBe(false);
    }
  });
});
