// Job code is written once per content to <codeDir>/<sha256>.ts and imported from
// there by the sandbox. The name is the hash, so a file never changes once written;
// it is written to a temporary name first so no sandbox ever reads half a file.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export interface CodeCache {
  /** Writes the code if needed; returns the file: URL the sandbox imports. */
  urlFor(code: string): string;
}

export function createCodeCache(codeDir: string): CodeCache {
  const written = new Set<string>();
  return {
    urlFor(code) {
      const hash = createHash("sha256").update(code).digest("hex");
      const file = path.join(codeDir, `${hash}.ts`);
      if (!written.has(hash)) {
        if (!existsSync(file)) {
          const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
          writeFileSync(temporary, code, { mode: 0o644 });
          renameSync(temporary, file);
        }
        written.add(hash);
      }
      return pathToFileURL(file).href;
    },
  };
}
