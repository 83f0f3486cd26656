// Secrets over the settings API (compatibility §4.6): `client.settings` for a signed-in user's own
// secrets, `client.admin.settings` for system secrets. Lists and reads return metadata only;
// an admin may reveal a system value on demand.
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import { unwrapList } from "./json-columns.ts";

export interface SecretMetadata {
  id: string;
  key: string;
  description?: string;
  user_id?: string;
  version: number;
  created_at: string;
  updated_at: string;
}

const seg = (value: string): string => encodeURIComponent(value);

export class SecretSettingsClient {
  private readonly http: HttpClient;
  private readonly base: string;

  constructor(http: HttpClient, base: string) {
    this.http = http;
    this.base = base;
  }

  async setSecret(
    key: string,
    value: string,
    options: { description?: string } = {},
  ): Promise<Result<SecretMetadata>> {
    const res = await this.http.request<SecretMetadata>("POST", `${this.base}/secret`, {
      body: { key, value, ...options },
    });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async updateSecret(
    key: string,
    update: { value?: string; description?: string },
  ): Promise<Result<SecretMetadata>> {
    const res = await this.http.request<SecretMetadata>("PUT", `${this.base}/secret/${seg(key)}`, {
      body: update,
    });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async getSecret(key: string): Promise<Result<SecretMetadata>> {
    const res = await this.http.request<SecretMetadata>("GET", `${this.base}/secret/${seg(key)}`);
    return res.error ? fail(res.error) : ok(res.data);
  }

  async listSecrets(): Promise<Result<SecretMetadata[]>> {
    const res = await this.http.request<unknown>("GET", `${this.base}/secrets`);
    return res.error ? fail(res.error) : ok(unwrapList(res.data, ["secrets"]) as SecretMetadata[]);
  }

  async deleteSecret(key: string): Promise<Result<null>> {
    const res = await this.http.request<unknown>("DELETE", `${this.base}/secret/${seg(key)}`);
    return res.error ? fail(res.error) : ok(null);
  }
}

export class AdminSecretSettingsClient extends SecretSettingsClient {
  private readonly adminHttp: HttpClient;

  constructor(http: HttpClient) {
    super(http, "/api/v1/admin/settings/custom");
    this.adminHttp = http;
  }

  /** The plaintext of a system secret (admins only). */
  async revealSecret(key: string): Promise<Result<string>> {
    const res = await this.adminHttp.request<{ value: string }>(
      "GET",
      `/api/v1/admin/settings/custom/secret/${seg(key)}/value`,
    );
    return res.error ? fail(res.error) : ok(res.data.value);
  }
}
