// Public entry of the Fluxbase Local SDK. Runs in browsers, Node 20+ and Deno.
export {
  createClient,
  FluxbaseClient,
  type ClientCredentials,
  type ClientOptions,
} from "./client.ts";
export { FluxbaseError, type Result } from "./errors.ts";
export type { FetchLike } from "./http.ts";
export {
  AuthClient,
  type AuthData,
  type SignInCredentials,
  type SignUpCredentials,
} from "./auth.ts";
export type { AuthChangeEvent, AuthChangeListener, Session } from "./session.ts";
export {
  JobsClient,
  type JobAttempt,
  type JobProgressEvent,
  type JobPage,
  type ListJobsFilters,
  type MessageBody,
  type SubmitJobOptions,
} from "./jobs.ts";
export {
  AdminFilesClient,
  type JobFileContent,
  type JobFileEntry,
  type ServerKeys,
} from "./admin-files.ts";
export { AdminUsersClient, type CreateUserInput } from "./admin-users.ts";
export {
  AdminRealtimeClient,
  type EnableRealtimeOptions,
  type RealtimeTableStatus,
} from "./admin-realtime.ts";
export {
  JobDebugClient,
  type JobEffect,
  type JobEffects,
  type ReplayOptions,
  type SavedPayload,
} from "./job-debug.ts";
export {
  AdminSecretSettingsClient,
  SecretSettingsClient,
  type SecretMetadata,
} from "./settings.ts";
export {
  AdminJobsClient,
  type AdminListJobsFilters,
  type ScheduleInfo,
  type SyncJobsOptions,
} from "./admin-jobs.ts";
export { normalizeJob, normalizeRecord, parseJsonString, type WorkerInfo } from "./json-columns.ts";
export {
  QueryBuilder,
  SchemaClient,
  type FilterOperator,
  type FilterValue,
  type QueryResponse,
  type Row,
  type SelectOptions,
  type UpsertOptions,
} from "./query-builder.ts";
export {
  BucketClient,
  StorageClient,
  type ListOptions,
  type StorageObject,
  type UploadOptions,
  type UploadResult,
} from "./storage.ts";
export { RealtimeClient, realtimeUrl } from "./realtime.ts";
export type { ExecutionLogLine } from "./realtime-bindings.ts";
export {
  RealtimeChannel,
  type ChangeCallback,
  type ChangeEvent,
  type ChangeEventFilter,
  type PostgresChangesFilter,
  type RealtimeChangePayload,
  type StatusCallback,
  type SubscribeStatus,
  type WebSocketConstructorLike,
} from "./realtime-channel.ts";
export type * from "./types.ts";
