// What a file of the jobs folder is to the server, by the folder rule the loader uses:
//   <name>.ts | <name>.js          a job named <name>
//   <name>/index.ts                a job named <name>; the folder's other files are its modules
//   _shared/**, names with "." or "_" first, *.d.ts, json   never a job
// and where a server build error points.

export type JobFileRole =
  | { kind: "entry"; name: string }
  | { kind: "module"; name: string; reason: string }
  | { kind: "none"; reason: string };

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

/** `paths`: every file of the jobs folder, to know whether a folder has its index.ts. */
export function jobFileRole(path: string, paths: readonly string[]): JobFileRole {
  const parts = path.split("/");
  const top = parts[0] ?? "";
  const file = parts[parts.length - 1] ?? "";
  if (file.endsWith(".d.ts"))
    return { kind: "none", reason: "Type declarations for the editor; not a job." };
  if (top.startsWith("_") || top.startsWith(".")) {
    return top === "_shared"
      ? {
          kind: "none",
          reason: "Shared code: every job may import it (../_shared/…); not a job itself.",
        }
      : {
          kind: "none",
          reason: `Names starting with "${top[0]}" are skipped by the loader; not a job.`,
        };
  }
  if (parts.length === 1) {
    if (!/\.(?:ts|js)$/.test(top))
      return { kind: "none", reason: "Only .ts and .js files (or a folder's index.ts) are jobs." };
    const name = top.replace(/\.(?:ts|js)$/, "");
    return validName.test(name)
      ? { kind: "entry", name }
      : {
          kind: "none",
          reason: `"${name}" is not a valid job name: use letters, digits, "_" and "-".`,
        };
  }
  if (parts.length === 2 && file === "index.ts") {
    return validName.test(top)
      ? { kind: "entry", name: top }
      : {
          kind: "none",
          reason: `"${top}" is not a valid job name: use letters, digits, "_" and "-".`,
        };
  }
  if (paths.includes(`${top}/index.ts`)) {
    return {
      kind: "module",
      name: top,
      reason: `A module of the job "${top}" (its entry is ${top}/index.ts); Run runs that job.`,
    };
  }
  return {
    kind: "none",
    reason: `Not a job: a folder is one job whose entry is ${top}/index.ts, and ${top}/ has none. Move this file to the top of the jobs folder, or add ${top}/index.ts that imports it.`,
  };
}

export interface BuildLocation {
  line: number;
  column: number;
  message: string;
}

/**
 * The first location in the server's build error (`Bundle failed: a.ts:3:7: Expected ";"; …`)
 * that is in `path`; null when none is.
 */
export function buildErrorIn(
  bundleError: string | null | undefined,
  path: string,
): BuildLocation | null {
  if (!bundleError) return null;
  for (const part of bundleError
    .replace(/^Bundle failed:\s*/, "")
    .split(/;\s+(?=[^\s;:]+:\d+:\d+:)/)) {
    const match = /^([^\s:]+):(\d+):(\d+):\s*([\s\S]*)$/.exec(part.trim());
    if (match && match[1] === path)
      return { line: Number(match[2]), column: Number(match[3]), message: match[4] ?? "" };
  }
  return null;
}
