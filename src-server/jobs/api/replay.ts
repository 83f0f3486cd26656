// Replay of a run: the same function, payload and user, with the code that run used and the
// settings kept with it ("original", the version kept in jobs.function_versions) or the code
// and settings as saved now ("current"); the new run links to the old one. Also runs as dry runs.
import type { Job } from "../../../src-sdk/types.ts";
import type { Db } from "../../db/connections.ts";
import { insertJob, type JobRow } from "../../db/queries/queue.ts";
import { findFunctionVersion } from "../../db/queries/replays.ts";
import { AppError } from "../../errors.ts";
import { optionalBoolean, optionalEnum, requireObject } from "../../http/job-validation.ts";
import { functionAtVersion } from "../worker/kept-code.ts";
import { runFrom } from "./run-copy.ts";
import { toJob } from "./serialize.ts";
import { resolveFunction } from "./submit.ts";

export interface ReplayRequest {
  code: "original" | "current";
  dryRun: boolean;
}

/** `{code?: "original" | "current", dry_run?: boolean}`; an absent body is `{}`. */
export function parseReplayRequest(body: unknown): ReplayRequest {
  const input = body === undefined || body === null ? {} : requireObject(body);
  return {
    code: optionalEnum(input.code, "code", ["original", "current"] as const) ?? "original",
    dryRun: optionalBoolean(input.dry_run, "dry_run") ?? false,
  };
}

export async function replayJob(db: Db, row: JobRow, request: ReplayRequest): Promise<Job> {
  const current = await resolveFunction(db, row.job_name, row.namespace);
  let fn = current;
  let codeVersion: number | null = null;
  if (request.code === "original") {
    const version = row.function_version;
    if (version === null || version === undefined) {
      throw new AppError(
        "INVALID_STATE",
        "This run never started, so it used no code: replay it with the current code",
        { field: "code", status: row.status },
      );
    }
    const kept =
      row.function_id === current.id
        ? await findFunctionVersion(db, current.id, version)
        : undefined;
    if (!kept) {
      throw new AppError(
        "INVALID_STATE",
        `The code of version ${version} was not kept: replay it with the current code`,
        { field: "code" },
      );
    }
    fn = functionAtVersion(current, kept);
    codeVersion = version;
  }
  const created = await insertJob(
    db,
    runFrom(row, fn, { replayOf: row.id, codeVersion, dryRun: request.dryRun }),
  );
  return toJob(created, { detail: true });
}
