// The wire objects the API answers with (the shapes of src-sdk/types.ts), as TypeBox schemas
// for the API document. Objects allow extra keys: optional fields are omitted when NULL.
import { Type, type TProperties } from "@sinclair/typebox";

/** An object that documents `props` and lets newer fields through. */
export const Obj = (props: TProperties, description?: string) =>
  Type.Object(props, { additionalProperties: true, ...(description ? { description } : {}) });

const Opt = Type.Optional;
export const Str = (description?: string) => Type.String(description ? { description } : {});
export const Int = (description?: string) => Type.Integer(description ? { description } : {});
export const Bool = (description?: string) => Type.Boolean(description ? { description } : {});
export const Time = (description = "ISO 8601 time") =>
  Type.String({ format: "date-time", description });
export const JsonValue = Type.Unknown({ description: "Any JSON value" });
export const JsonObject = Type.Record(Type.String(), Type.Unknown(), {
  description: "A JSON object",
});

export const Message = Obj({ message: Str() });

export const JobStatus = Type.Union(
  ["pending", "running", "completed", "failed", "cancelled"].map((s) => Type.Literal(s)),
);

export const Job = Obj(
  {
    id: Str("uuid"),
    namespace: Str(),
    job_function_id: Opt(Str()),
    job_name: Str(),
    status: JobStatus,
    payload: Opt(JsonObject),
    result: Opt(JsonValue),
    progress: Opt(Obj({ percent: Type.Number(), message: Opt(Str()), data: Opt(JsonValue) })),
    priority: Int(),
    max_duration_seconds: Opt(Int()),
    progress_timeout_seconds: Opt(Int()),
    max_retries: Int(),
    retry_count: Int(),
    error_message: Opt(Str()),
    worker_id: Opt(Str()),
    created_by: Opt(Str()),
    user_role: Opt(Str()),
    user_email: Opt(Str()),
    user_name: Opt(Str()),
    created_at: Time(),
    scheduled_at: Opt(Time()),
    started_at: Opt(Time()),
    last_progress_at: Opt(Time()),
    completed_at: Opt(Time()),
    retried_from: Opt(Str("The job this one was retried or resubmitted from")),
    estimated_completion_at: Opt(Time()),
    estimated_seconds_left: Opt(Int()),
    progress_percent: Opt(Type.Number()),
    progress_message: Opt(Str()),
    progress_data: Opt(JsonValue),
  },
  "A job (a row of the queue)",
);

export const AnonSubmitted = Obj(
  { id: Str(), status: JobStatus, receipt: Str("Lets this client read this one job") },
  "What an anonymous submitter learns",
);

export const JobList = Obj({ jobs: Type.Array(Job), limit: Int(), offset: Int(), total: Int() });

export const LogEntry = Obj({
  id: Str(),
  timestamp: Time(),
  category: Str(),
  level: Str(),
  message: Str(),
  execution_id: Str(),
  line_number: Int(),
  fields: Opt(JsonObject),
});

export const JobLogs = Obj({ logs: Type.Array(LogEntry), count: Int() });

export const Attempts = Obj({
  attempts: Type.Array(Obj({}, "An attempt"), { description: "Oldest first" }),
});

export const JobFunction = Obj(
  {
    id: Str(),
    name: Str(),
    namespace: Str(),
    description: Opt(Str()),
    is_bundled: Bool(),
    bundle_error: Opt(Str()),
    enabled: Bool(),
    schedule: Opt(Str()),
    timeout_seconds: Int(),
    memory_limit_mb: Int(),
    max_retries: Int(),
    progress_timeout_seconds: Int(),
    allow_net: Bool(),
    allow_net_hosts: Opt(Type.Array(Str())),
    allow_env: Bool(),
    allow_read: Bool(),
    allow_write: Bool(),
    require_roles: Opt(Type.Array(Str())),
    disable_execution_logs: Bool(),
    version: Int(),
    created_by: Opt(Str()),
    source: Str(),
    created_at: Time(),
    updated_at: Time(),
    code: Opt(Str()),
    original_code: Opt(Str()),
  },
  "A job function",
);

const functionFields = {
  code: Opt(Str("The function's source (TypeScript)")),
  original_code: Opt(Str()),
  is_bundled: Opt(Bool()),
  description: Opt(Str()),
  enabled: Opt(Bool()),
  schedule: Opt(Str("A cron expression")),
  timeout_seconds: Opt(Int()),
  memory_limit_mb: Opt(Int()),
  max_retries: Opt(Int()),
  progress_timeout_seconds: Opt(Int()),
  allow_net: Opt(Bool()),
  allow_net_hosts: Opt(Type.Array(Str())),
  allow_env: Opt(Bool()),
  allow_read: Opt(Bool()),
  allow_write: Opt(Bool()),
  require_roles: Opt(Type.Array(Str())),
  disable_execution_logs: Opt(Bool()),
};

export const JobFunctionInput = Obj({ name: Str(), namespace: Opt(Str()), ...functionFields });
export const JobFunctionPatch = Obj(functionFields);

export const Worker = Obj({
  id: Str(),
  name: Opt(Str()),
  hostname: Opt(Str()),
  status: Str(),
  max_concurrent_jobs: Int(),
  current_job_count: Int(),
  last_heartbeat_at: Opt(Time()),
  started_at: Time(),
  metadata: Opt(JsonObject),
});

const count = (name: string) => ({ [name]: Int() });
export const JobStats = Obj({
  ...count("total_jobs"),
  ...count("pending_jobs"),
  ...count("running_jobs"),
  ...count("completed_jobs"),
  ...count("failed_jobs"),
  ...count("cancelled_jobs"),
  avg_duration_seconds: Type.Number(),
  jobs_by_status: Type.Array(Obj({ status: Str(), count: Int() })),
  jobs_by_day: Type.Array(Obj({ date: Str(), count: Int() })),
  jobs_by_function: Type.Array(Obj({ name: Str(), count: Int() })),
});

export const ScheduleInfo = Obj({
  namespace: Str(),
  name: Str(),
  schedule: Str(),
  timezone: Type.Union([Str(), Type.Null()]),
  paused: Bool(),
  enabled: Bool(),
  next_runs: Type.Array(Time()),
  last_fired_at: Type.Union([Time(), Type.Null()]),
  last_job_id: Type.Union([Str(), Type.Null()]),
  allow_overlap: Bool(),
});

export const AuthUser = Obj({
  id: Str(),
  email: Str(),
  role: Str(),
  user_metadata: JsonObject,
  app_metadata: JsonObject,
  created_at: Time(),
  updated_at: Opt(Time()),
});

export const AuthSession = Obj({
  user: AuthUser,
  access_token: Str("A JWT: send it as `Authorization: Bearer <token>`"),
  refresh_token: Str(),
  expires_in: Int("Seconds"),
  token_type: Str(),
});

export const SecretMetadata = Obj(
  {
    id: Str(),
    key: Str(),
    description: Opt(Str()),
    user_id: Opt(Str()),
    created_by: Opt(Str()),
    updated_by: Opt(Str()),
    version: Int(),
    created_at: Time(),
    updated_at: Time(),
  },
  "A secret's metadata (never its value)",
);

export const Bucket = Obj({
  id: Str(),
  name: Str(),
  public: Bool(),
  file_size_limit: Type.Union([Int(), Type.Null()]),
  allowed_mime_types: Type.Union([Type.Array(Str()), Type.Null()]),
  created_at: Time(),
  updated_at: Time(),
});

export const StorageObject = Obj({
  name: Str(),
  id: Str(),
  bucket: Str(),
  size: Int(),
  mime_type: Str(),
  created_at: Time(),
  updated_at: Time(),
  metadata: Opt(JsonObject),
});

export const Binary = Type.String({ format: "binary", description: "The object's bytes" });
