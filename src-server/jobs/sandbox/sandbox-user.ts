// Who jobs run as. A server running as an ordinary user runs its jobs as itself (Deno's
// permissions are then the only wall). A server running as root never gives jobs
// root: they run as `nobody`, so the operating system also keeps them out of
// root-only files (/etc/shadow, the 0600 keys and credentials in the data dir).
import { readFileSync } from "node:fs";

export interface SandboxUser {
  name: string;
  uid: number;
  gid: number;
}

const NOBODY = 65534;

/** `name`'s ids from /etc/passwd, or the conventional 65534 for nobody. */
export function lookUpUser(name: string, passwd = "/etc/passwd"): SandboxUser | undefined {
  let text = "";
  try {
    text = readFileSync(passwd, "utf8");
  } catch {
    // No passwd file: only the conventional nobody is known.
  }
  for (const line of text.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return name === "nobody" ? { name, uid: NOBODY, gid: NOBODY } : undefined;
}

/** Undefined unless the server is root; then `nobody`. */
export function defaultSandboxUser(): SandboxUser | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  return lookUpUser("nobody");
}
