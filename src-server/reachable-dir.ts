// Whether an operating-system user may reach a directory, by the permission bits alone (no
// ACLs, no capabilities): a root server asks it before handing a path to the `postgres`
// user (db/postgres-access.ts) or to the unprivileged user jobs run as (jobs/sandbox/).
import { statSync } from "node:fs";
import path from "node:path";

/** A user's numeric ids, as the file system sees them. */
export interface UserIds {
  uid: number;
  gid: number;
}

/** Whether `user` may search every directory from the root down to `dir` (inclusive). */
export function reachableBy(dir: string, user: UserIds): boolean {
  let current = path.resolve(dir);
  for (;;) {
    const s = statSync(current);
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if ((s.mode & bit) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}
