// client.admin.users: test users and their roles (/api/v1/admin/users), so row-level
// security can be tried locally. Needs an admin or service credential.
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import { unwrapList } from "./json-columns.ts";
import type { AuthUser, JsonObject } from "./types.ts";

const BASE = "/api/v1/admin/users";

export interface CreateUserInput {
  email: string;
  password: string;
  role?: string;
  user_metadata?: JsonObject;
}

export class AdminUsersClient {
  private readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  async list(): Promise<Result<AuthUser[]>> {
    const res = await this.http.request<unknown>("GET", BASE);
    return res.error ? fail(res.error) : ok(unwrapList(res.data, ["users"]) as AuthUser[]);
  }

  async create(input: CreateUserInput): Promise<Result<AuthUser>> {
    const res = await this.http.request<AuthUser>("POST", BASE, { body: input });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async setRole(userId: string, role: string): Promise<Result<AuthUser>> {
    const res = await this.http.request<AuthUser>(
      "PATCH",
      `${BASE}/${encodeURIComponent(userId)}`,
      { body: { role } },
    );
    return res.error ? fail(res.error) : ok(res.data);
  }

  async delete(userId: string): Promise<Result<null>> {
    const res = await this.http.request<unknown>("DELETE", `${BASE}/${encodeURIComponent(userId)}`);
    return res.error ? fail(res.error) : ok(null);
  }
}
