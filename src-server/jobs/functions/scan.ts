// The jobs folder → function definitions (compatibility §5.3). Reading only: the loader
// decides what to upsert and delete.
//
//   jobs/<name>.ts | .js        function <name>
//   jobs/<name>/index.ts        function <name>; supporting files: top-level *.ts *.js
//                               *.mts *.mjs deno.json deno.jsonc, nested *.ts *.js *.json
//                               *.geojson (paths relative to the function's folder)
//   jobs/_shared/**             *.ts *.js *.json *.geojson, attached to every function
//                               as `_shared/...`
//   jobs/deno.json(c)           attached to every function without its own
//   skipped                     names starting with "." or "_", *.d.ts (jobs.d.ts)
import fs from "node:fs/promises";
import path from "node:path";
import {
  parseAnnotations,
  type FunctionAnnotations,
  type AnnotationWarning,
} from "./annotations.ts";
import { checkPortability, type PortabilityWarning } from "./portability.ts";

export interface FunctionFile {
  /** Relative, with "/" separators: "lib/util.ts", "_shared/db.ts". */
  path: string;
  content: string;
}

export interface ScanError {
  /** 1-based line, or 0 when the problem is the file or folder as a whole. */
  line: number;
  annotation?: string;
  message: string;
}

export interface ScannedFunction {
  name: string;
  /** Absolute path of the entry file ("" when a folder has no index.ts). */
  entryPath: string;
  code: string;
  files: FunctionFile[];
  annotations: FunctionAnnotations;
  /** Invalid name, missing entry, duplicate name, invalid annotation values. */
  errors: ScanError[];
  /** Annotation warnings (unknown names, duplicates). */
  warnings: AnnotationWarning[];
  portability: PortabilityWarning[];
  /**
   * False when the function cannot be loaded at all (bad name, no entry file,
   * name taken by an earlier entry). Annotation errors alone leave it loadable:
   * the invalid settings fall back to their defaults.
   */
  loadable: boolean;
}

export const functionNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

const skipped = (name: string) =>
  name.startsWith(".") || name.startsWith("_") || name.endsWith(".d.ts");
const hasExt = (name: string, exts: string[]) => exts.some((ext) => name.endsWith(ext));
const codeExts = [".ts", ".js", ".mts", ".mjs"];

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Entries of a folder, sorted, without dot-files; [] when it cannot be read. */
async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  } catch {
    return [];
  }
}

/** Files under `dir` (recursively) whose names end in one of `exts`. */
async function collectFiles(dir: string, prefix: string, exts: string[]): Promise<FunctionFile[]> {
  const files: FunctionFile[] = [];
  for (const name of await listDir(dir)) {
    if (name === "node_modules") continue;
    const full = path.join(dir, name);
    const relative = `${prefix}${name}`;
    if (await isDirectory(full)) {
      files.push(...(await collectFiles(full, `${relative}/`, exts)));
    } else if (hasExt(name, exts) && (await isFile(full))) {
      files.push({ path: relative, content: await fs.readFile(full, "utf8") });
    }
  }
  return files;
}

/** Supporting files of a folder function (everything but its index.ts). */
async function folderFiles(dir: string): Promise<FunctionFile[]> {
  const files: FunctionFile[] = [];
  for (const name of await listDir(dir)) {
    const full = path.join(dir, name);
    if (await isDirectory(full)) {
      files.push(...(await collectFiles(full, `${name}/`, [".ts", ".js", ".json", ".geojson"])));
    } else if (
      name !== "index.ts" &&
      (hasExt(name, codeExts) || name === "deno.json" || name === "deno.jsonc")
    ) {
      files.push({ path: name, content: await fs.readFile(full, "utf8") });
    }
  }
  return files;
}

interface Entry {
  name: string;
  entryPath: string;
  /** Path relative to the jobs folder, for messages: "report.ts", "export/index.ts". */
  label: string;
  /** Files of the function itself (folder functions only). */
  ownFiles: FunctionFile[];
}

/** Function entries of the top level of the jobs folder, in name order. */
async function findEntries(dir: string, names: string[]): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of names) {
    if (skipped(name)) continue;
    const full = path.join(dir, name);
    if (await isDirectory(full)) {
      const index = path.join(full, "index.ts");
      const entryPath = (await isFile(index)) ? index : "";
      const ownFiles = entryPath ? await folderFiles(full) : [];
      entries.push({ name, entryPath, label: `${name}/index.ts`, ownFiles });
    } else if (hasExt(name, [".ts", ".js"])) {
      entries.push({
        name: name.replace(/\.(ts|js)$/, ""),
        entryPath: full,
        label: name,
        ownFiles: [],
      });
    }
  }
  return entries;
}

async function sharedFiles(dir: string, names: string[]): Promise<FunctionFile[]> {
  const shared = await collectFiles(path.join(dir, "_shared"), "_shared/", [
    ".ts",
    ".js",
    ".json",
    ".geojson",
  ]);
  const denoConfig =
    names.find((name) => name === "deno.json") ?? names.find((name) => name === "deno.jsonc");
  if (denoConfig)
    shared.push({
      path: denoConfig,
      content: await fs.readFile(path.join(dir, denoConfig), "utf8"),
    });
  return shared;
}

async function scanEntry(
  entry: Entry,
  shared: FunctionFile[],
  takenBy: string | undefined,
): Promise<ScannedFunction> {
  const errors: ScanError[] = [];
  if (!functionNamePattern.test(entry.name)) {
    errors.push({
      line: 0,
      message: `invalid function name "${entry.name}": use letters, digits, "_" and "-", starting with a letter or digit`,
    });
  }
  if (!entry.entryPath) errors.push({ line: 0, message: `folder "${entry.name}" has no index.ts` });
  if (takenBy)
    errors.push({ line: 0, message: `function "${entry.name}" is already defined by ${takenBy}` });
  const loadable = errors.length === 0;
  const code = entry.entryPath ? await fs.readFile(entry.entryPath, "utf8") : "";
  const hasOwnDenoConfig = entry.ownFiles.some(
    (f) => f.path === "deno.json" || f.path === "deno.jsonc",
  );
  const inherited = shared.filter((f) => f.path.startsWith("_shared/") || !hasOwnDenoConfig);
  const files = [...entry.ownFiles, ...inherited];
  const parsed = parseAnnotations(code);
  const portability = entry.entryPath ? checkPortability(code, entry.label) : [];
  for (const file of files) {
    if (!hasExt(file.path, codeExts)) continue;
    const label = file.path.startsWith("_shared/") ? file.path : `${entry.name}/${file.path}`;
    portability.push(...checkPortability(file.content, label, { entry: false }));
  }
  return {
    name: entry.name,
    entryPath: entry.entryPath,
    code,
    files,
    annotations: parsed.annotations,
    errors: [...errors, ...parsed.errors],
    warnings: parsed.warnings,
    portability,
    loadable,
  };
}

/**
 * Every function of a jobs folder, in name order. A missing folder gives [].
 * When two entries give the same name (`report.ts` and `report/`), the first in
 * file-name order is used and the other carries an error.
 */
export async function scanJobsDir(dir: string): Promise<ScannedFunction[]> {
  if (!(await isDirectory(dir))) return [];
  const names = await listDir(dir);
  const shared = await sharedFiles(dir, names);
  const entries = await findEntries(dir, names);
  const firstSource = new Map<string, string>();
  const result: ScannedFunction[] = [];
  for (const entry of entries) {
    const takenBy = firstSource.get(entry.name);
    if (!takenBy && entry.entryPath) firstSource.set(entry.name, entry.label);
    result.push(await scanEntry(entry, shared, takenBy));
  }
  return result.sort((a, b) => a.name.localeCompare(b.name));
}
