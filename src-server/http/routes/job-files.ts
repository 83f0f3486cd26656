// The jobs folder as files, for the IDE (admin only): list, read, write, rename, delete
// under /api/v1/admin/jobs/files. The watcher notices every change and reloads the
// functions, so a saved file is the function's next version. Also GET
// /api/v1/admin/ui/keys: the anon and service keys for the UI's Connect page.
//
// Paths are relative to the jobs folder, "/"-separated, with no "..", no absolute
// paths and no dotfiles; only source and JSON files may be written.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { JobFileEntry } from "../../../src-sdk/admin-files.ts";
import type { ApiKeys } from "../../auth/keys.ts";
import type { CallerResolver } from "../../auth/caller.ts";
import type { Db } from "../../db/connections.ts";
import { AppError, invalidField } from "../../errors.ts";
import { requireObject, requireString } from "../job-validation.ts";
import { admin } from "../guards.ts";
import { noContent, type Router } from "../router.ts";

export interface JobFileRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  jobsDir: string;
  keys: Pick<ApiKeys, "anonKey" | "serviceKey">;
}

export const MAX_JOB_FILE_BYTES = 1024 * 1024;
/** A file or folder name (a function name comes from it), and a whole relative path. */
export const MAX_JOB_NAME_CHARS = 100;
export const MAX_JOB_PATH_CHARS = 400;
const EDITABLE = /\.(?:ts|js|json|mts|mjs)$/;

/** The absolute path of `rel` inside `root`, or a 400 naming `field`. */
export function resolveJobPath(root: string, rel: string, field: string): string {
  if (!rel || rel.includes("\0") || rel.includes("\\"))
    throw invalidField(field, `${field} is not a valid file path`);
  if (rel.length > MAX_JOB_PATH_CHARS) {
    throw invalidField(field, `${field} must be at most ${MAX_JOB_PATH_CHARS} characters`);
  }
  if (rel.startsWith("/") || path.isAbsolute(rel))
    throw invalidField(field, `${field} must be relative to the jobs folder`);
  const parts = rel.split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) {
    throw invalidField(field, `${field} must not contain empty, "." or ".." segments`);
  }
  if (parts.some((p) => p.length > MAX_JOB_NAME_CHARS)) {
    throw invalidField(
      field,
      `${field}: each file or folder name must be at most ${MAX_JOB_NAME_CHARS} characters`,
    );
  }
  if (parts.some((p) => p.startsWith(".") || p === "node_modules")) {
    throw invalidField(field, `${field} must not name dotfiles or node_modules`);
  }
  if (!EDITABLE.test(rel))
    throw invalidField(field, `${field} must end in .ts, .js, .json, .mts or .mjs`);
  const base = path.resolve(root);
  const full = path.resolve(base, rel);
  if (!full.startsWith(base + path.sep))
    throw invalidField(field, `${field} is outside the jobs folder`);
  return full;
}

async function listTree(root: string): Promise<JobFileEntry[]> {
  const out: JobFileEntry[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const full = path.join(folder, e.name);
      const rel = `${prefix}${e.name}`;
      const st = await fs.stat(full).catch(() => undefined);
      if (!st) continue;
      const mtime = st.mtime.toISOString();
      if (st.isDirectory()) {
        out.push({ path: rel, type: "dir", size: 0, mtime });
        await walk(full, `${rel}/`);
      } else if (st.isFile()) {
        out.push({ path: rel, type: "file", size: st.size, mtime });
      }
    }
  };
  await walk(root, "");
  return out;
}

function notFound(rel: string): AppError {
  return new AppError("NOT_FOUND", `No file ${rel} in the jobs folder`, { path: rel });
}

async function writeAtomic(full: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(full), { recursive: true });
  // A dotfile beside the target: the loader and the watcher skip it until the rename.
  const temp = path.join(
    path.dirname(full),
    `.${path.basename(full)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    await fs.writeFile(temp, content);
    await fs.rename(temp, full);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** A file-system refusal the request caused (a folder where a file goes, or the reverse). */
function fsRefusal(err: unknown, rel: string, field: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EISDIR" || code === "ERR_FS_EISDIR")
    return new AppError("CONFLICT", `${rel} is a folder`, { field });
  if (code === "ENOTDIR" || code === "EEXIST") {
    return new AppError("CONFLICT", `A parent of ${rel} is a file, not a folder`, { field });
  }
  if (code === "ENAMETOOLONG")
    return invalidField(field, `${field} is too long for the file system`);
  return err;
}

const exists = (full: string) =>
  fs.stat(full).then(
    () => true,
    () => false,
  );

export function addJobFileRoutes({
  router,
  db,
  callers,
  jobsDir,
  keys,
}: JobFileRoutesOptions): void {
  const guards = [admin(callers, db)];
  const base = "/api/v1/admin/jobs/files";

  router.add("GET", "/api/v1/admin/ui/keys", guards, async () => ({
    anon_key: keys.anonKey,
    service_key: keys.serviceKey,
  }));

  router.add("GET", base, guards, async () => ({ entries: await listTree(jobsDir) }));

  router.add("POST", `${base}/rename`, guards, async (req) => {
    const body = requireObject(await req.json());
    const from = requireString(body.from, "from");
    const to = requireString(body.to, "to");
    const source = resolveJobPath(jobsDir, from, "from");
    const target = resolveJobPath(jobsDir, to, "to");
    if (!(await exists(source))) throw notFound(from);
    if (await exists(target))
      throw new AppError("CONFLICT", `${to} already exists`, { field: "to" });
    try {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(source, target);
    } catch (err) {
      throw fsRefusal(err, to, "to");
    }
    return { path: to };
  });

  router.add("GET", `${base}/*path`, guards, async (req) => {
    const rel = req.params.path!;
    const full = resolveJobPath(jobsDir, rel, "path");
    const content = await fs.readFile(full, "utf8").catch(() => undefined);
    if (content === undefined) throw notFound(rel);
    return { path: rel, content };
  });

  router.add("PUT", `${base}/*path`, guards, async (req) => {
    const rel = req.params.path!;
    const full = resolveJobPath(jobsDir, rel, "path");
    const body = requireObject(await req.json());
    if (typeof body.content !== "string") throw invalidField("content", "content must be a string");
    const size = Buffer.byteLength(body.content);
    if (size > MAX_JOB_FILE_BYTES) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `content is ${size} bytes; the limit is ${MAX_JOB_FILE_BYTES}`,
        {
          field: "content",
        },
      );
    }
    await writeAtomic(full, body.content).catch((err: unknown) => {
      throw fsRefusal(err, rel, "path");
    });
    const st = await fs.stat(full);
    return { path: rel, size: st.size, mtime: st.mtime.toISOString() };
  });

  router.add("DELETE", `${base}/*path`, guards, async (req) => {
    const rel = req.params.path!;
    const full = resolveJobPath(jobsDir, rel, "path");
    if (!(await exists(full))) throw notFound(rel);
    await fs.rm(full).catch((err: unknown) => {
      throw fsRefusal(err, rel, "path");
    });
    return noContent();
  });
}
