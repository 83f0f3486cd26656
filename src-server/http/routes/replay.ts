// Replay, effects and saved payloads of runs:
//   POST   /api/v1/jobs/:id/replay   {code?: "original" | "current", dry_run?}  -> 201 the new run
//   GET    /api/v1/jobs/:id/replays  -> {jobs}: the runs replaying this one, newest first
//   GET    /api/v1/jobs/:id/effects  -> {effects, summary}: what the run wrote (the ledger)
//   GET    /api/v1/jobs/functions/:namespace/:name/payloads            -> {payloads}
//   PUT    /api/v1/jobs/functions/:namespace/:name/payloads/:payload  {payload} -> the saved one
//   DELETE /api/v1/jobs/functions/:namespace/:name/payloads/:payload
// Runs follow the job routes' rules: admins reach any run, others their own. Saved payloads
// are the caller's own.
import type { CallerResolver } from "../../auth/caller.ts";
import { jobViewerOf } from "../../auth/job-viewer.ts";
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import { findFunction } from "../../db/queries/functions.ts";
import { listReplays } from "../../db/queries/replays.ts";
import {
  deleteSavedPayload,
  listSavedPayloads,
  saveSavedPayload,
  type SavedPayloadRow,
} from "../../db/queries/saved-payloads.ts";
import { AppError, invalidField } from "../../errors.ts";
import { parseReplayRequest, replayJob } from "../../jobs/api/replay.ts";
import { toJob } from "../../jobs/api/serialize.ts";
import { getVisibleJob } from "../../jobs/api/service.ts";
import { listEffects, type EffectRow } from "../../ledger/effects-queries.ts";
import { summarizeEffects } from "../../../src-shared/effects-summary.ts";
import { featureEnabled, notAnonymous } from "../guards.ts";
import { requireObject } from "../job-validation.ts";
import { created, noContent, type ApiRequest, type Router } from "../router.ts";

export interface ReplayRoutesOptions {
  router: Router;
  db: Db;
  config: JobsConfig;
  callers: CallerResolver;
}

const MAX_NAME = 100;

function toEffect(row: EffectRow) {
  return {
    id: row.id,
    attempt: row.attempt,
    operation: row.operation,
    kind: row.kind,
    target: row.target,
    row_count: row.row_count,
    keys: row.keys,
    dry_run: row.dry_run,
    at: row.at.toISOString(),
  };
}

function toSavedPayload(row: SavedPayloadRow) {
  return {
    id: row.id,
    name: row.name,
    payload: row.payload,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function payloadName(raw: string | undefined): string {
  const name = (raw ?? "").trim();
  if (!name || name.length > MAX_NAME)
    throw invalidField("name", `name must be 1 to ${MAX_NAME} characters`);
  return name;
}

export function addReplayRoutes({ router, db, config, callers }: ReplayRoutesOptions): void {
  const guards = [featureEnabled(() => config.enabled), notAnonymous(callers)];
  const base = "/api/v1/jobs";

  router.add("POST", `${base}/:id/replay`, guards, async (req) => {
    const request = parseReplayRequest(await req.json());
    const row = await getVisibleJob(db, jobViewerOf(req.caller!), req.params.id!);
    return created(await replayJob(db, row, request));
  });

  router.add("GET", `${base}/:id/replays`, guards, async (req) => {
    const row = await getVisibleJob(db, jobViewerOf(req.caller!), req.params.id!);
    return { jobs: (await listReplays(db, row.id)).map((r) => toJob(r)) };
  });

  router.add("GET", `${base}/:id/effects`, guards, async (req) => {
    const row = await getVisibleJob(db, jobViewerOf(req.caller!), req.params.id!);
    const effects = await listEffects(db, row.id);
    return {
      job_id: row.id,
      dry_run: row.dry_run ?? false,
      summary: summarizeEffects(effects),
      effects: effects.map(toEffect),
    };
  });

  const fn = async (req: ApiRequest) => {
    const found = await findFunction(db, req.params.namespace!, req.params.name!);
    if (!found) throw new AppError("FUNCTION_NOT_FOUND", "Job function not found");
    return found;
  };
  const payloads = `${base}/functions/:namespace/:name/payloads`;

  router.add("GET", payloads, guards, async (req) => ({
    payloads: (await listSavedPayloads(db, (await fn(req)).id, req.caller!.userId)).map(
      toSavedPayload,
    ),
  }));

  router.add("PUT", `${payloads}/:payload`, guards, async (req) => {
    const name = payloadName(req.params.payload);
    const body = requireObject(await req.json());
    const payload = body.payload;
    if (!payload || typeof payload !== "object" || Array.isArray(payload))
      throw invalidField("payload", "payload must be a JSON object");
    if (Buffer.byteLength(JSON.stringify(payload)) > config.maxPayloadBytes)
      throw new AppError("PAYLOAD_TOO_LARGE", "payload is too large", { field: "payload" });
    const row = await saveSavedPayload(db, {
      functionId: (await fn(req)).id,
      userId: req.caller!.userId,
      name,
      payload,
    });
    return toSavedPayload(row);
  });

  router.add("DELETE", `${payloads}/:payload`, guards, async (req) => {
    const name = payloadName(req.params.payload);
    const deleted = await deleteSavedPayload(db, (await fn(req)).id, req.caller!.userId, name);
    if (!deleted) throw new AppError("NOT_FOUND", "Saved payload not found", { field: "name" });
    return noContent();
  });
}
