import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["src-server/**/*.test.ts", "src-sdk/**/*.test.ts", "test/unit/**/*.test.ts"],
          exclude: ["test/unit/main-*.test.ts"],
          environment: "node",
          // Pure logic: the files share one module graph per worker instead of loading it
          // again for each file (half the wall time and a third of the CPU of isolated runs).
          // Stubbed env vars and globals are undone after each test.
          isolate: false,
          unstubEnvs: true,
          unstubGlobals: true,
        },
      },
      {
        test: {
          // src-main's tests mock the electron module with one shared fake: each file keeps
          // its own copy of it.
          name: "unit-electron",
          sequence: { groupOrder: 0 },
          include: ["test/unit/main-*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/helpers/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two cores: run files two at a time, each on its own database.
          maxWorkers: 2,
        },
      },
      {
        // Stores and views in happy-dom, against an SDK client on a fake transport.
        plugins: [vue()],
        test: {
          name: "component",
          sequence: { groupOrder: 3 },
          include: ["test/component/**/*.test.ts"],
          environment: "happy-dom",
        },
      },
      {
        test: {
          name: "e2e",
          sequence: { groupOrder: 2 },
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          // The database as for integration, plus a fresh build of the renderer.
          globalSetup: ["test/helpers/global-setup.ts", "test/e2e/build-renderer.ts"],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // One Chromium at a time on two cores.
          maxWorkers: 1,
        },
      },
    ],
  },
});
