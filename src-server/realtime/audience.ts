// The sockets a jobs.queue change may reach, found without visiting every socket: each is
// filed under its identity's job viewer (auth/job-viewer.ts: all jobs, one user's, none),
// so a change of a job is offered to the sockets that see all jobs and to those of the
// job's creator only. It narrows, it does not decide: each candidate still checks the row
// (visibility.ts) and its subscriptions. The hub re-files a socket whenever its identity
// changes.
import { jobViewerOf } from "../auth/job-viewer.ts";
import type { Viewer } from "./visibility.ts";

export interface Audience<T> {
  /** Files `member` under the viewer of `identity` (moving it when filed before). */
  file(member: T, identity: Viewer): void;
  remove(member: T): void;
  /**
   * The groups of members that may see a job whose created_by is `createdBy`: those who see
   * all jobs, and the creator's own (each member in one group at most).
   */
  ofJob(createdBy: unknown): ReadonlySet<T>[];
}

const ALL = Symbol("all jobs");

export function createAudience<T>(): Audience<T> {
  const all = new Set<T>();
  const byUser = new Map<string, Set<T>>();
  /** Where each member is filed: "all", a user id, or nowhere (sees no job). */
  const filed = new Map<T, string | typeof ALL>();

  const remove = (member: T) => {
    const key = filed.get(member);
    filed.delete(member);
    if (key === ALL) all.delete(member);
    else if (key !== undefined) {
      const set = byUser.get(key);
      set?.delete(member);
      if (set?.size === 0) byUser.delete(key);
    }
  };

  return {
    file(member, identity) {
      remove(member);
      const viewer = jobViewerOf(identity);
      if (viewer.sees === "all") {
        all.add(member);
        filed.set(member, ALL);
      } else if (viewer.sees === "user") {
        const set = byUser.get(viewer.userId) ?? new Set();
        byUser.set(viewer.userId, set.add(member));
        filed.set(member, viewer.userId);
      }
    },
    remove,
    ofJob(createdBy) {
      const own = typeof createdBy === "string" ? byUser.get(createdBy) : undefined;
      return own ? [all, own] : [all];
    },
  };
}
