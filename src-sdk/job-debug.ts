// client.jobs.debug (Fluxbase Local): replay a run, read what a run wrote (its effects),
// and the payloads saved per function for the run panel.
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import { normalizeJob } from "./json-columns.ts";
import type { Job, JsonObject } from "./types.ts";

const JOBS = "/api/v1/jobs";
const seg = (value: string) => encodeURIComponent(value);

export interface JobEffect {
  id: number;
  attempt: number;
  operation: "insert" | "upsert" | "update" | "delete" | "upload" | "remove" | "submit";
  kind: "table" | "object" | "job";
  /** `schema.table`, `bucket/path` or `namespace/function`. */
  target: string;
  row_count: number;
  /** Primary keys touched (the first 100 per write); a submitted job's `{id}`. */
  keys: Record<string, unknown>[];
  dry_run: boolean;
  at: string;
}

export interface JobEffects {
  job_id: string;
  dry_run: boolean;
  /** "inserted 3 rows into app.notes, deleted avatars/u1.png, submitted 2 jobs". */
  summary: string;
  effects: JobEffect[];
}

export interface SavedPayload {
  id: string;
  name: string;
  payload: JsonObject;
  created_at: string;
  updated_at: string;
}

export interface ReplayOptions {
  /** "original" (default): the code the run used; "current": the code as saved now. */
  code?: "original" | "current";
  dryRun?: boolean;
}

export class JobDebugClient {
  constructor(private readonly http: HttpClient) {}

  /** A new run of the same function, payload and user, linked to the old one. */
  async replay(jobId: string, options: ReplayOptions = {}): Promise<Result<Job>> {
    const body: Record<string, unknown> = { code: options.code ?? "original" };
    if (options.dryRun) body.dry_run = true;
    const res = await this.http.request<unknown>("POST", `${JOBS}/${seg(jobId)}/replay`, { body });
    return res.error ? fail(res.error) : ok(normalizeJob(res.data));
  }

  /** The runs replaying this one, newest first. */
  async replays(jobId: string): Promise<Result<Job[]>> {
    const res = await this.http.request<{ jobs: unknown[] }>(
      "GET",
      `${JOBS}/${seg(jobId)}/replays`,
    );
    return res.error ? fail(res.error) : ok((res.data?.jobs ?? []).map((j) => normalizeJob(j)));
  }

  /** What the run wrote through its clients. */
  async effects(jobId: string): Promise<Result<JobEffects>> {
    const res = await this.http.request<JobEffects>("GET", `${JOBS}/${seg(jobId)}/effects`);
    return res.error ? fail(res.error) : ok(res.data as JobEffects);
  }

  async listPayloads(namespace: string, name: string): Promise<Result<SavedPayload[]>> {
    const res = await this.http.request<{ payloads: SavedPayload[] }>(
      "GET",
      `${JOBS}/functions/${seg(namespace)}/${seg(name)}/payloads`,
    );
    return res.error ? fail(res.error) : ok(res.data?.payloads ?? []);
  }

  async savePayload(
    namespace: string,
    name: string,
    payloadName: string,
    payload: object,
  ): Promise<Result<SavedPayload>> {
    const res = await this.http.request<SavedPayload>(
      "PUT",
      `${JOBS}/functions/${seg(namespace)}/${seg(name)}/payloads/${seg(payloadName)}`,
      { body: { payload } },
    );
    return res.error ? fail(res.error) : ok(res.data as SavedPayload);
  }

  async deletePayload(namespace: string, name: string, payloadName: string): Promise<Result<null>> {
    const res = await this.http.request<unknown>(
      "DELETE",
      `${JOBS}/functions/${seg(namespace)}/${seg(name)}/payloads/${seg(payloadName)}`,
    );
    return res.error ? fail(res.error) : ok(null);
  }
}
