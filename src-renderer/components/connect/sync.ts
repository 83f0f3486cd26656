// Copy this server's functions to another one: read them here (admin.jobs), then ask the
// target — a second SDK client made from the URL and service key typed in — to sync them,
// first as a dry run so the diff is seen before anything changes.
import {
  createClient,
  type JobFunction,
  type JobFunctionInput,
  type SyncJobsResponse,
} from "../../../src-sdk/index.ts";
import { api } from "../../api.ts";

export function toSyncInput(fn: JobFunction): JobFunctionInput {
  const input: JobFunctionInput = {
    name: fn.name,
    namespace: fn.namespace,
    enabled: fn.enabled,
    timeout_seconds: fn.timeout_seconds,
    memory_limit_mb: fn.memory_limit_mb,
    max_retries: fn.max_retries,
    progress_timeout_seconds: fn.progress_timeout_seconds,
    allow_net: fn.allow_net,
    allow_env: fn.allow_env,
    allow_read: fn.allow_read,
    allow_write: fn.allow_write,
    disable_execution_logs: fn.disable_execution_logs,
    is_bundled: fn.is_bundled,
  };
  if (fn.code !== undefined) input.code = fn.code;
  if (fn.original_code !== undefined) input.original_code = fn.original_code;
  if (fn.description) input.description = fn.description;
  if (fn.schedule) input.schedule = fn.schedule;
  if (fn.require_roles?.length) input.require_roles = fn.require_roles;
  return input;
}

/** The functions of one namespace of this server, with their code. */
export async function localFunctions(namespace: string): Promise<JobFunctionInput[]> {
  const list = await api().admin.jobs.listFunctions(namespace);
  if (list.error) throw list.error;
  const full = await Promise.all(
    list.data.map((f) => api().admin.jobs.getFunction(f.namespace, f.name)),
  );
  return full.map((res) => {
    if (res.error) throw res.error;
    return toSyncInput(res.data);
  });
}

export interface SyncTarget {
  url: string;
  serviceKey: string;
  namespace: string;
  deleteMissing: boolean;
}

export async function syncTo(
  target: SyncTarget,
  functions: JobFunctionInput[],
  dryRun: boolean,
): Promise<SyncJobsResponse> {
  const remote = createClient(target.url, { serviceKey: target.serviceKey });
  const res = await remote.admin.jobs.sync({
    namespace: target.namespace,
    functions,
    options: { dry_run: dryRun, delete_missing: target.deleteMissing },
  });
  if (res.error) throw res.error;
  return res.data;
}
