// The debugger's HTTP API, admins only: start a debug run of a function, then follow its
// session (long-polled state) and drive it (breakpoints, continue and steps, evaluate,
// expand objects, detach). The browser talks only to these routes; the server alone talks
// to the job's inspector.
import type { CallerResolver } from "../auth/caller.ts";
import type { JobsConfig } from "../config/types.ts";
import type { Db } from "../db/connections.ts";
import { DEBUG_HOLD_SECONDS, releaseDebugRun } from "../db/queries/debug-runs.ts";
import { AppError, invalidField } from "../errors.ts";
import { submitJob } from "../jobs/api/submit.ts";
import { admin } from "../http/guards.ts";
import {
  optionalBoolean,
  optionalInt,
  optionalString,
  requireObject,
  requireString,
} from "../http/job-validation.ts";
import { created, type Router } from "../http/router.ts";
import type { DebugRegistry } from "./registry.ts";
import {
  DEBUG_COMMANDS,
  type BreakpointSpec,
  type DebugCommand,
  type DebugState,
} from "./session.ts";

export interface DebugRoutesOptions {
  router: Router;
  db: Db;
  config: JobsConfig;
  callers: CallerResolver;
  registry: DebugRegistry;
  /** Longest wait of a state poll with `after` (default 20 000 ms). */
  pollMs?: number;
}

const MAX_BREAKPOINTS = 200;

export function parseBreakpoints(value: unknown): BreakpointSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField("breakpoints", "breakpoints must be an array");
  if (value.length > MAX_BREAKPOINTS)
    throw invalidField("breakpoints", `at most ${MAX_BREAKPOINTS} breakpoints`);
  return value.map((item, i) => {
    const field = `breakpoints[${i}]`;
    const bp = requireObject(item, field);
    const line = optionalInt(bp.line, `${field}.line`, 1, 1_000_000);
    if (line === undefined) throw invalidField(`${field}.line`, `${field}.line is required`);
    const condition = optionalString(bp.condition, `${field}.condition`, 2000)?.trim();
    return condition ? { line, condition } : { line };
  });
}

/** The wire form: snake_case like the rest of the API. */
function toWire(state: DebugState) {
  return {
    job_id: state.jobId,
    status: state.status,
    version: state.version,
    reason: state.reason ?? null,
    line: state.line ?? null,
    file: state.file ?? null,
    file_line: state.fileLine ?? null,
    frames: state.frames.map((f) => ({
      name: f.name,
      line: f.line,
      column: f.column,
      in_job: f.inJob,
      file: f.file ?? null,
      url: f.url,
      scopes: f.scopes.map((s) => ({
        type: s.type,
        name: s.name ?? null,
        object_id: s.objectId ?? null,
        variables: s.variables?.map(toWireVariable) ?? null,
      })),
    })),
    breakpoints: state.breakpoints.map((b) => ({
      line: b.line,
      condition: b.condition ?? null,
      actual_line: b.actualLine ?? null,
    })),
    inspector_url: state.inspectorUrl ?? null,
    note: state.note ?? null,
  };
}

function toWireVariable(v: { name: string; text: string; type: string; objectId?: string }) {
  return { name: v.name, value: v.text, type: v.type, object_id: v.objectId ?? null };
}

export function addDebugRoutes(options: DebugRoutesOptions): void {
  const { router, db, config, callers, registry } = options;
  const guards = [admin(callers, db)];
  const base = "/api/v1/admin/debug/runs";
  const pollMs = options.pollMs ?? 20_000;

  const sessionOf = (id: string | undefined) => {
    const session = id ? registry.get(id) : undefined;
    if (!session) throw new AppError("NOT_FOUND", "No debug session for this job", { field: "id" });
    session.lastSeen = Date.now();
    return session;
  };
  /** CDP refusals (not paused, the process gone) are the caller's state, not a server fault. */
  const drive = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("INVALID_STATE", (error as Error).message);
    }
  };

  router.add("POST", base, guards, async (req) => {
    const body = requireObject(await req.json());
    const jobName = requireString(body.job_name, "job_name");
    const breakpoints = parseBreakpoints(body.breakpoints);
    const external = optionalBoolean(body.external, "external") ?? false;
    const held = new Date(Date.now() + DEBUG_HOLD_SECONDS * 1000).toISOString();
    const row = await submitJob({ db, config, callers }, req.caller!, {
      job_name: jobName,
      namespace: body.namespace,
      payload: body.payload,
      on_behalf_of: body.on_behalf_of,
      scheduled_at: held,
    });
    const session = registry.create(row.id, { breakpoints, external });
    await releaseDebugRun(db, row.id);
    return created(toWire(session.snapshot()));
  });

  router.add("GET", `${base}/:id`, guards, async (req) => {
    const session = sessionOf(req.params.id);
    const after = optionalInt(req.query.get("after"), "after", 0, Number.MAX_SAFE_INTEGER);
    if (after !== undefined) {
      session.watchers += 1;
      await session.waitForChange(after, pollMs).finally(() => (session.watchers -= 1));
    }
    session.lastSeen = Date.now();
    return toWire(session.snapshot());
  });

  router.add("PUT", `${base}/:id/breakpoints`, guards, async (req) => {
    const session = sessionOf(req.params.id);
    const body = requireObject(await req.json());
    const breakpoints = parseBreakpoints(body.breakpoints);
    return toWire(await drive(() => session.setBreakpoints(breakpoints)));
  });

  router.add("POST", `${base}/:id/commands`, guards, async (req) => {
    const session = sessionOf(req.params.id);
    const body = requireObject(await req.json());
    const command = requireString(body.command, "command");
    if (!DEBUG_COMMANDS.includes(command as DebugCommand))
      throw invalidField("command", `command must be one of ${DEBUG_COMMANDS.join(", ")}`);
    await drive(() => session.command(command as DebugCommand));
    return toWire(session.snapshot());
  });

  router.add("POST", `${base}/:id/evaluate`, guards, async (req) => {
    const session = sessionOf(req.params.id);
    const body = requireObject(await req.json());
    const expression = requireString(body.expression, "expression", 10_000);
    const frame = optionalInt(body.frame, "frame", 0, 10_000) ?? 0;
    return toWireVariable(await drive(() => session.evaluate(expression, frame)));
  });

  router.add("GET", `${base}/:id/properties`, guards, async (req) => {
    const session = sessionOf(req.params.id);
    const objectId = requireString(req.query.get("object_id"), "object_id", 500);
    return { properties: (await drive(() => session.properties(objectId))).map(toWireVariable) };
  });

  router.add("POST", `${base}/:id/detach`, guards, async (req) => {
    const session = sessionOf(req.params.id);
    await drive(() => session.detach());
    return toWire(session.snapshot());
  });
}
