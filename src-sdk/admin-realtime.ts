// client.admin.realtime: realtime on application tables (/api/v1/admin/realtime/tables), the
// same calls as upstream's SDK. Needs an admin or service credential.
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";

const BASE = "/api/v1/admin/realtime/tables";

export interface RealtimeTableStatus {
  schema: string;
  table: string;
  realtime_enabled: boolean;
  events: string[];
  excluded_columns?: string[];
  created_at?: string;
}

export interface EnableRealtimeOptions {
  /** Default `public`; application tables live in `app` or `public`. */
  schema?: string;
  events?: ("INSERT" | "UPDATE" | "DELETE")[];
  /** Columns never sent in change events. */
  exclude?: string[];
}

const path = (schema: string, table: string) =>
  `${BASE}/${encodeURIComponent(schema)}/${encodeURIComponent(table)}`;

export class AdminRealtimeClient {
  private readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  async enableRealtime(
    table: string,
    options: EnableRealtimeOptions = {},
  ): Promise<Result<{ schema: string; table: string; events: string[]; trigger_name: string }>> {
    const body = { ...options, schema: options.schema ?? "public", table };
    const res = await this.http.request<{
      schema: string;
      table: string;
      events: string[];
      trigger_name: string;
    }>("POST", BASE, { body });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async disableRealtime(schema: string, table: string): Promise<Result<null>> {
    const res = await this.http.request<unknown>("DELETE", path(schema, table));
    return res.error ? fail(res.error) : ok(null);
  }

  /** Enabled tables; `includeDisabled` lists every application table with its switch. */
  async listTables(
    options: { includeDisabled?: boolean } = {},
  ): Promise<Result<RealtimeTableStatus[]>> {
    const query = options.includeDisabled ? { enabled: "false" } : undefined;
    const res = await this.http.request<{ tables: RealtimeTableStatus[] }>("GET", BASE, { query });
    return res.error ? fail(res.error) : ok(res.data?.tables ?? []);
  }

  async getStatus(schema: string, table: string): Promise<Result<RealtimeTableStatus>> {
    const res = await this.http.request<RealtimeTableStatus>("GET", path(schema, table));
    return res.error ? fail(res.error) : ok(res.data);
  }
}
