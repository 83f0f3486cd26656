// A build plugin for the Electron main bundle. src-server locates files beside its source
// (migrations/, src-runtime/main.ts) with `new URL("../../x", import.meta.url)`. Once bundled
// into out/main/index.js that relative path would point elsewhere, so each such literal is
// rewritten to the same file, relative to the bundle's directory.
import path from "node:path";
import type { Plugin } from "vite";

export interface SourceRelativeUrlOptions {
  /** The repository root: only modules under it are rewritten (not node_modules). */
  root: string;
  /** The directory the bundle is written to. */
  outDir: string;
}

const PATTERN = /new URL\(\s*(["'])(\.{1,2}\/[^"']*)\1\s*,\s*import\.meta\.url\s*\)/g;

/** Rewrites `new URL("<rel>", import.meta.url)` in `code` (the module at `file`) for `outDir`. */
export function rewriteSourceRelativeUrls(code: string, file: string, outDir: string): string {
  return code.replace(PATTERN, (_match, quote: string, rel: string) => {
    const target = path.resolve(path.dirname(file), rel);
    let fromOut = path.relative(outDir, target).split(path.sep).join("/");
    if (!fromOut.startsWith(".")) fromOut = `./${fromOut}`;
    if (rel.endsWith("/") && !fromOut.endsWith("/")) fromOut += "/";
    return `new URL(${quote}${fromOut}${quote}, import.meta.url)`;
  });
}

export function keepSourceRelativeUrls(options: SourceRelativeUrlOptions): Plugin {
  const root = path.resolve(options.root) + path.sep;
  return {
    name: "fluxbase:keep-source-relative-urls",
    enforce: "pre",
    transform(code: string, id: string) {
      if (!id.startsWith(root) || id.includes(`${path.sep}node_modules${path.sep}`)) return null;
      if (!code.includes("import.meta.url")) return null;
      const next = rewriteSourceRelativeUrls(code, id, options.outDir);
      return next === code ? null : { code: next, map: null };
    },
  };
}
