// Three bundles from one config: the Electron main process (which embeds the local stack),
// the preload bridge, and the Vue renderer. Everything lands in out/ (git-ignored); the
// server serves out/renderer, so the same UI works in a browser against `npm run serve`.
import path from "node:path";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "electron-vite";
import { keepSourceRelativeUrls } from "./scripts/source-relative-urls.ts";

const root = import.meta.dirname;

export default defineConfig({
  main: {
    // src-server finds migrations/ and src-runtime/ with `new URL(rel, import.meta.url)`.
    plugins: [keepSourceRelativeUrls({ root, outDir: path.join(root, "out/main") })],
    build: {
      outDir: "out/main",
      rolldownOptions: {
        input: { index: path.join(root, "src-main/index.ts") },
        // One file: the server's lazy imports (import()) stay inside index.js, so the
        // rewritten relative URLs above hold for every module (a chunk elsewhere would break them).
        output: { codeSplitting: false },
      },
    },
  },
  preload: {
    build: {
      outDir: "out/preload",
      // A sandboxed preload must be CommonJS.
      rolldownOptions: {
        input: { preload: path.join(root, "src-main/preload.ts") },
        output: { format: "cjs", entryFileNames: "[name].cjs" },
      },
    },
  },
  renderer: {
    root: path.join(root, "src-renderer"),
    base: "./",
    plugins: [vue()],
    build: {
      outDir: "out/renderer",
      rolldownOptions: { input: { index: path.join(root, "src-renderer/index.html") } },
    },
  },
});
