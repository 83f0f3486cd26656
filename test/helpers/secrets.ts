// Helpers of the secrets tests: raw HTTP calls (to see exactly what goes over the wire),
// a search of every table of a database for a plaintext, and the jobs the tests run.
import pg from "pg";
import type { Queryable } from "../../src-server/db/connections.ts";

export interface ApiResponse {
  status: number;
  // Parsed JSON (undefined for an empty body); `text` is the raw body.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function api(
  baseUrl: string,
  path: string,
  options: { method?: string; token?: string; body?: unknown; rawBody?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(baseUrl + path, {
    method: options.method ?? "GET",
    headers,
    body:
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, text };
}

/**
 * Tables (any schema but the catalogues) holding `needle` in any column: as text, as
 * bytes (bytea renders as hex in a row's text), or base64-encoded.
 */
export async function tablesContaining(db: Queryable, needle: string): Promise<string[]> {
  const tables = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  const forms = [
    needle,
    Buffer.from(needle).toString("hex"),
    Buffer.from(needle).toString("base64"),
  ];
  const hits: string[] = [];
  for (const t of tables) {
    const qualified = `${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)}`;
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${qualified} t
       WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0 OR strpos(t::text, $3) > 0`,
      forms,
    );
    if (row && row.n > 0) hits.push(`${t.schema}.${t.name}`);
  }
  return hits;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Buffer.from(digest).toString("hex");
}

/** Reads `api_token` every way a job can, logs it (to be masked), returns SHA-256 digests. */
export const hashJob = `const hash = async (v) => v === undefined ? null
  : [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(v)))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
export async function handler(req, fluxbase, fluxbaseService, job) {
  const value = secrets.get("api_token");
  console.log("token is " + value);
  return {
    get: await hash(value),
    user: await hash(secrets.getUser("api_token")),
    system: await hash(secrets.getSystem("api_token")),
    env_user: await hash(Deno.env.get("FLUXBASE_USER_API_TOKEN")),
    env_system: await hash(Deno.env.get("FLUXBASE_SETTING_API_TOKEN")),
  };
}`;

// The guide's "external API call" handler; only the URL points at the test's server.
export const chargeJob = `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  // Get secrets with automatic fallback: user -> system
  const stripeKey = secrets.getRequired("stripe_api_key");
  const webhookSecret = secrets.get("webhook_secret");
  job.reportProgress(25, "Processing payment...");
  // Use the secret for external API calls
  const response = await fetch(job.getJobPayload().api + "/v1/charges", {
    method: "POST",
    headers: {
      Authorization: \`Bearer \${stripeKey}\`,
    },
    body: new URLSearchParams({ amount: "1000", currency: "usd" }),
  });
  job.reportProgress(100, "Complete");
  return { success: true };
}`;
