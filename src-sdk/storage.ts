// client.storage.from(bucket): the object calls job examples use (compatibility §7.8).
import { fail, FluxbaseError, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import { unwrapList } from "./json-columns.ts";

export interface UploadOptions {
  contentType?: string;
  upsert?: boolean;
  cacheControl?: string;
}

export interface ListOptions {
  limit?: number;
  offset?: number;
}

export interface StorageObject {
  key?: string;
  name?: string;
  id?: string;
  bucket?: string;
  size?: number;
  content_type?: string;
  last_modified?: string;
  created_at?: string;
  updated_at?: string;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface UploadResult {
  path: string;
  [field: string]: unknown;
}

/** Encode each segment of an object path, keeping the slashes. */
export function objectPath(path: string): string {
  return path
    .replace(/^\/+/, "")
    .split("/")
    .map((part) => encodeURIComponent(part))
    .join("/");
}

function toBlob(body: Blob | ArrayBuffer | ArrayBufferView | string, contentType?: string): Blob {
  if (body instanceof Blob)
    return contentType && !body.type ? new Blob([body], { type: contentType }) : body;
  const type =
    contentType ??
    (typeof body === "string" ? "text/plain;charset=utf-8" : "application/octet-stream");
  return new Blob([body as BlobPart], { type });
}

export class BucketClient {
  private readonly http: HttpClient;
  private readonly bucket: string;

  constructor(http: HttpClient, bucket: string) {
    this.http = http;
    this.bucket = bucket;
  }

  private url(path = ""): string {
    const base = `/api/v1/storage/${encodeURIComponent(this.bucket)}`;
    return path ? `${base}/${objectPath(path)}` : base;
  }

  /** Multipart POST with the bytes in field `file`. */
  async upload(
    path: string,
    body: Blob | ArrayBuffer | ArrayBufferView | string,
    options: UploadOptions = {},
  ): Promise<Result<UploadResult>> {
    const blob = toBlob(body, options.contentType);
    const form = new FormData();
    form.append("file", blob, path.split("/").pop() || "file");
    if (options.contentType ?? blob.type)
      form.append("content_type", options.contentType ?? blob.type);
    if (options.upsert !== undefined) form.append("upsert", String(options.upsert));
    if (options.cacheControl) form.append("cache_control", options.cacheControl);
    const res = await this.http.request<unknown>("POST", this.url(path), { body: form });
    if (res.error) return fail(res.error);
    const data =
      typeof res.data === "object" && res.data !== null
        ? (res.data as Record<string, unknown>)
        : {};
    return ok({ ...data, path: typeof data.path === "string" ? data.path : path });
  }

  async download(path: string): Promise<Result<Blob>> {
    const res = await this.http.request<Blob>("GET", this.url(path), { responseType: "blob" });
    return res.error ? fail(res.error) : ok(res.data);
  }

  /** Objects under `prefix`; `data` is the array (the `{ files }` envelope is unwrapped). */
  async list(prefix?: string, options: ListOptions = {}): Promise<Result<StorageObject[]>> {
    const query = { prefix, limit: options.limit, offset: options.offset };
    const res = await this.http.request<unknown>("GET", this.url(), { query });
    return res.error
      ? fail(res.error)
      : ok(unwrapList(res.data, ["files", "objects"]) as StorageObject[]);
  }

  /** Deletes each path; `data` lists the ones removed. Stops at the first failure. */
  async remove(paths: string[]): Promise<Result<string[]>> {
    const removed: string[] = [];
    for (const path of paths) {
      const res = await this.http.request<unknown>("DELETE", this.url(path));
      if (res.error) return fail(res.error);
      removed.push(path);
    }
    return ok(removed);
  }

  /** A time-limited URL anyone can GET. `expiresIn` is in seconds. */
  async createSignedUrl(path: string, expiresIn: number): Promise<Result<{ signedUrl: string }>> {
    const res = await this.http.request<unknown>("POST", `${this.url()}/sign/${objectPath(path)}`, {
      body: { expires_in: expiresIn },
    });
    if (res.error) return fail(res.error);
    const body = (typeof res.data === "object" && res.data !== null ? res.data : {}) as Record<
      string,
      unknown
    >;
    const url = body.signed_url ?? body.signedUrl ?? body.signedURL ?? body.url;
    if (typeof url !== "string")
      return fail(new FluxbaseError("Sign response has no URL", res.status, res.data));
    return ok({ signedUrl: new URL(url, this.http.baseUrl + "/").toString() });
  }
}

export class StorageClient {
  private readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  from(bucket: string): BucketClient {
    return new BucketClient(this.http, bucket);
  }
}
