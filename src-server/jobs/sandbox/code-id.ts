// Names job code by its content, for the reuse key: a process only runs further jobs
// of exactly the code it ran. (The code itself travels in the job context.)
import { createHash } from "node:crypto";

export function codeId(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}
