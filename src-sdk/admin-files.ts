// client.admin.files: the server's jobs folder as files (/api/v1/admin/jobs/files), for
// the IDE. Paths are relative to the jobs folder and "/"-separated. Admin only. Writing a
// file makes the server reload its functions, as saving it in an editor would.
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";

export interface JobFileEntry {
  /** Relative to the jobs folder, e.g. "reports/daily.ts". */
  path: string;
  type: "file" | "dir";
  /** Bytes (0 for folders). */
  size: number;
  /** ISO time of the last change. */
  mtime: string;
}

export interface JobFileContent {
  path: string;
  content: string;
}

/** The keys an external app needs (GET /api/v1/admin/ui/keys). */
export interface ServerKeys {
  anon_key: string;
  service_key: string;
}

const BASE = "/api/v1/admin/jobs/files";
// One encoded segment ("/" as %2F): a ".." in the path reaches the server, which refuses it,
// instead of being resolved away by the URL parser.
const filePath = (rel: string): string => `${BASE}/${encodeURIComponent(rel)}`;

export class AdminFilesClient {
  private readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  /** Every file and folder under the jobs folder (no dotfiles, no node_modules), sorted. */
  async listFiles(): Promise<Result<JobFileEntry[]>> {
    const res = await this.http.request<{ entries: JobFileEntry[] }>("GET", BASE);
    return res.error ? fail(res.error) : ok(res.data.entries);
  }

  async readFile(path: string): Promise<Result<JobFileContent>> {
    const res = await this.http.request<JobFileContent>("GET", filePath(path));
    return res.error ? fail(res.error) : ok(res.data);
  }

  /** Creates or overwrites the file (and its folders). */
  async writeFile(
    path: string,
    content: string,
  ): Promise<Result<{ path: string; size: number; mtime: string }>> {
    const res = await this.http.request<{ path: string; size: number; mtime: string }>(
      "PUT",
      filePath(path),
      {
        body: { content },
      },
    );
    return res.error ? fail(res.error) : ok(res.data);
  }

  async renameFile(from: string, to: string): Promise<Result<{ path: string }>> {
    const res = await this.http.request<{ path: string }>("POST", `${BASE}/rename`, {
      body: { from, to },
    });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async deleteFile(path: string): Promise<Result<null>> {
    const res = await this.http.request<unknown>("DELETE", filePath(path));
    return res.error ? fail(res.error) : ok(null);
  }

  /** The server's anon and service keys (for the Connect page). */
  async keys(): Promise<Result<ServerKeys>> {
    const res = await this.http.request<ServerKeys>("GET", "/api/v1/admin/ui/keys");
    return res.error ? fail(res.error) : ok(res.data);
  }
}
