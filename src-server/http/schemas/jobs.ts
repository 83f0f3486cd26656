// /api/v1/jobs: submit, list, get, logs, attempts, cancel, retry.
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import {
  AnonSubmitted,
  Attempts,
  Job,
  JobList,
  JobLogs,
  JsonObject,
  Message,
  Obj,
  Str,
} from "./entities.ts";

const Opt = Type.Optional;
const tags = ["jobs"];
const base = "/api/v1/jobs";

export const ListQuery = Type.Object({
  status: Opt(Str("pending, running, completed, failed or cancelled")),
  job_name: Opt(Str()),
  namespace: Opt(Str()),
  include_result: Opt(Str("true to include each job's result")),
  limit: Opt(Str("A whole number, default 50")),
  offset: Opt(Str("A whole number")),
  search: Opt(Str("Text in the job's name, id or error")),
  created_after: Opt(Str("ISO 8601")),
  created_before: Opt(Str("ISO 8601")),
  sort: Opt(Str("The column to sort by")),
  order: Opt(Str("asc or desc")),
});

export const LogsQuery = Type.Object({
  after_line: Opt(Str("Only lines after this line number")),
  limit: Opt(Str("A whole number")),
});

const SubmitBody = Obj({
  job_name: Str("The job function's name"),
  namespace: Opt(Str()),
  payload: Opt(JsonObject),
  priority: Opt(Type.Integer()),
  scheduled_at: Opt(Str("ISO 8601: run at or after this time")),
  scheduled: Opt(Str("Upstream SDK spelling of scheduled_at")),
  on_behalf_of: Opt(
    Obj({ user_id: Str(), user_email: Opt(Str()), user_role: Opt(Str()) }, "Service role only"),
  ),
});

const list = {
  summary: "List my jobs",
  tags,
  querystring: ListQuery,
  response: { 200: JobList },
};

export const jobSchemas: RouteSchemas = {
  [`POST ${base}/submit`]: {
    summary: "Submit a job",
    description:
      "Anyone with the anon key may submit; an anonymous submitter gets the id, the status and a receipt (X-Job-Receipt) to read this one job.",
    tags,
    body: SubmitBody,
    response: { 201: Type.Union([Job, AnonSubmitted]) },
  },
  [`GET ${base}`]: list,
  [`GET ${base}/`]: list,
  [`GET ${base}/:id`]: {
    summary: "Get a job",
    description: "A user's token, the service key, or the anon key with the job's X-Job-Receipt.",
    tags,
    response: { 200: Job },
  },
  [`GET ${base}/:id/logs`]: {
    summary: "A job's log lines",
    tags,
    querystring: LogsQuery,
    response: { 200: JobLogs },
  },
  [`GET ${base}/:id/attempts`]: { summary: "A job's attempts", tags, response: { 200: Attempts } },
  [`POST ${base}/:id/cancel`]: { summary: "Cancel a job", tags, response: { 200: Message } },
  [`POST ${base}/:id/retry`]: {
    summary: "Retry a finished job as a new job",
    tags,
    response: { 201: Job },
  },
};
