// /api/v1/admin/jobs: functions, sync, check, stats, workers, the queue and schedules.
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import {
  Attempts,
  Bool,
  Int,
  Job,
  JobFunction,
  JobFunctionInput,
  JobFunctionPatch,
  JobList,
  JobLogs,
  JobStats,
  JsonObject,
  Message,
  Obj,
  ScheduleInfo,
  Str,
  Worker,
} from "./entities.ts";
import { ListQuery, LogsQuery } from "./jobs.ts";

const Opt = Type.Optional;
const tags = ["admin: jobs"];
const base = "/api/v1/admin/jobs";
const NamespaceQuery = Type.Object({ namespace: Opt(Str()) });

const SyncBody = Obj({
  namespace: Opt(Str()),
  jobs: Opt(Type.Array(JobFunctionInput, { description: "Omitted: reload the jobs folder" })),
  options: Opt(Obj({ delete_missing: Opt(Bool()), dry_run: Opt(Bool()) })),
});

const names = Type.Array(Str());
const SyncResult = Obj({
  message: Str(),
  namespace: Str(),
  summary: Obj({ created: Int(), updated: Int(), deleted: Int(), unchanged: Int(), errors: Int() }),
  details: Obj({ created: names, updated: names, deleted: names, unchanged: names }),
  errors: Type.Array(Obj({ job: Str(), error: Str(), action: Str() })),
  dry_run: Bool(),
});

const CheckResult = Obj({
  warnings: Type.Array(Obj({ line: Int(), rule: Str(), message: Str(), file: Str() })),
  build_errors: Type.Array(Obj({ line: Int(), column: Int(), message: Str() })),
});

const schedules = "/api/v1/admin/jobs/schedules";
const scheduleTags = ["admin: schedules"];

export const adminJobSchemas: RouteSchemas = {
  [`GET ${base}/namespaces`]: {
    summary: "Namespaces with job functions",
    tags,
    response: { 200: Obj({ namespaces: names }) },
  },
  [`GET ${base}/functions`]: {
    summary: "List job functions (without code)",
    tags,
    querystring: NamespaceQuery,
    response: { 200: Type.Array(JobFunction) },
  },
  [`GET ${base}/functions/:namespace/:name`]: {
    summary: "Get a job function with its code",
    tags,
    response: { 200: JobFunction },
  },
  [`POST ${base}/functions`]: {
    summary: "Create (201) or replace (200) a job function",
    tags,
    body: JobFunctionInput,
    response: { 200: JobFunction, 201: JobFunction },
  },
  [`PUT ${base}/functions/:namespace/:name`]: {
    summary: "Change some fields of a job function",
    tags,
    body: JobFunctionPatch,
    response: { 200: JobFunction },
  },
  [`DELETE ${base}/functions/:namespace/:name`]: {
    summary: "Delete a job function",
    tags,
    response: { 204: Type.Null({ description: "Deleted" }) },
  },
  [`POST ${base}/check`]: {
    summary: "Portability warnings and build errors of a job file",
    tags,
    body: Obj({ code: Str("The source"), file_name: Opt(Str()), entry: Opt(Bool()) }),
    response: { 200: CheckResult },
  },
  [`POST ${base}/sync`]: {
    summary: "Sync a namespace's job functions (or reload the jobs folder)",
    tags,
    body: SyncBody,
    response: { 200: SyncResult },
  },
  [`GET ${base}/stats`]: {
    summary: "Queue statistics",
    tags,
    querystring: NamespaceQuery,
    response: { 200: JobStats },
  },
  [`GET ${base}/workers`]: { summary: "Workers", tags, response: { 200: Type.Array(Worker) } },
  [`GET ${base}/queue`]: {
    summary: "List every job",
    tags,
    querystring: Type.Composite([ListQuery, Type.Object({ worker_id: Opt(Str()) })]),
    response: { 200: JobList },
  },
  [`GET ${base}/queue/:id`]: { summary: "Get any job", tags, response: { 200: Job } },
  [`GET ${base}/queue/:id/logs`]: {
    summary: "Any job's log lines",
    tags,
    querystring: LogsQuery,
    response: { 200: JobLogs },
  },
  [`GET ${base}/queue/:id/attempts`]: {
    summary: "Any job's attempts",
    tags,
    response: { 200: Attempts },
  },
  [`POST ${base}/queue/:id/cancel`]: {
    summary: "Cancel any job",
    tags,
    response: { 200: Message },
  },
  [`POST ${base}/queue/:id/terminate`]: {
    summary: "Stop a running job now",
    tags,
    response: { 200: Message },
  },
  [`POST ${base}/queue/:id/retry`]: {
    summary: "Retry any finished job as a new job",
    tags,
    response: { 201: Job },
  },
  [`POST ${base}/queue/:id/resubmit`]: {
    summary: "Submit a copy of a job, optionally with a new payload",
    tags,
    body: Obj({ payload: Opt(JsonObject) }),
    response: { 201: Job },
  },
  [`GET ${schedules}`]: {
    summary: "Scheduled job functions",
    tags: scheduleTags,
    response: { 200: Type.Array(ScheduleInfo) },
  },
  [`POST ${schedules}/:namespace/:name/pause`]: {
    summary: "Pause a schedule",
    tags: scheduleTags,
    response: { 200: ScheduleInfo },
  },
  [`POST ${schedules}/:namespace/:name/resume`]: {
    summary: "Resume a schedule",
    tags: scheduleTags,
    response: { 200: ScheduleInfo },
  },
  [`POST ${schedules}/:namespace/:name/trigger`]: {
    summary: "Run a scheduled function now",
    tags: scheduleTags,
    response: { 201: Job },
  },
};
