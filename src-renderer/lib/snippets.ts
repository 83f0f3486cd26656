// Code that reaches this server from elsewhere: the Connect view's examples and a run's
// "copy as curl" / "copy as SDK call". Every example works as printed: the SDK is this
// repository's own `src-sdk/` (TypeScript, no dependencies; it is not published on npm).
export interface SnippetTarget {
  url: string;
  anonKey: string;
}

export interface RunCall {
  job_name: string;
  namespace: string;
  payload?: unknown;
  priority?: number;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function body(run: RunCall): Record<string, unknown> {
  const b: Record<string, unknown> = { job_name: run.job_name };
  if (run.namespace && run.namespace !== "default") b.namespace = run.namespace;
  b.payload = run.payload ?? {};
  if (run.priority) b.priority = run.priority;
  return b;
}

/** A shell command submitting the same job; the token comes from $FLUXBASE_TOKEN. */
export function curlForRun(run: RunCall, t: SnippetTarget): string {
  return [
    `curl -X POST ${q(`${t.url}/api/v1/jobs/submit`)} \\`,
    `  -H ${q(`apikey: ${t.anonKey}`)} \\`,
    `  -H "Authorization: Bearer $FLUXBASE_TOKEN" \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d ${q(JSON.stringify(body(run)))}`,
  ].join("\n");
}

/** The same job submitted through the SDK. */
export function sdkForRun(run: RunCall): string {
  const options: string[] = [];
  if (run.namespace && run.namespace !== "default")
    options.push(`namespace: ${JSON.stringify(run.namespace)}`);
  if (run.priority) options.push(`priority: ${run.priority}`);
  const args = [JSON.stringify(run.job_name), JSON.stringify(run.payload ?? {}, null, 2)];
  if (options.length) args.push(`{ ${options.join(", ")} }`);
  return `const { data: job, error } = await client.jobs.submit(${args.join(", ")});`;
}

export function sdkSnippet(t: SnippetTarget): string {
  return `// This repository's SDK: copy src-sdk/ into your app (TypeScript, no dependencies)
// or import it by path — Deno, Bun, Vite and Node 22.6+ (--experimental-strip-types) load it as is.
import { createClient } from "./src-sdk/index.ts";

// In a browser app: the anon key, then sign a user in.
const client = createClient("${t.url}", { apiKey: "${t.anonKey}" });
await client.auth.signIn({ email, password });

const { data: job, error } = await client.jobs.submit("process-data", { items: [1, 2, 3] });
client.realtime.executionLogs(job.id, (line) => console.log(line.message));

// On a server you trust: the service key (never ship it to a browser).
// const admin = createClient("${t.url}", { serviceKey: process.env.FLUXBASE_SERVICE_KEY });`;
}

export function fetchSnippet(t: SnippetTarget): string {
  return `// Plain fetch, no SDK. Sign in for a user token (or use the service key as the bearer).
const base = "${t.url}";
const apikey = "${t.anonKey}";
const signIn = await fetch(\`\${base}/api/v1/auth/signin\`, {
  method: "POST",
  headers: { apikey, "content-type": "application/json" },
  body: JSON.stringify({ email, password }),
});
const { access_token } = await signIn.json();

const res = await fetch(\`\${base}/api/v1/jobs/submit\`, {
  method: "POST",
  headers: { apikey, authorization: \`Bearer \${access_token}\`, "content-type": "application/json" },
  body: JSON.stringify({ job_name: "process-data", payload: { items: [1, 2, 3] } }),
});
const job = await res.json(); // { id, status: "pending", ... }
const status = await (await fetch(\`\${base}/api/v1/jobs/\${job.id}\`, {
  headers: { apikey, authorization: \`Bearer \${access_token}\` },
})).json();`;
}

export function curlSnippet(t: SnippetTarget): string {
  return `# Sign in, keep the token, submit a job, read it back.
TOKEN=$(curl -s -X POST ${q(`${t.url}/api/v1/auth/signin`)} \\
  -H ${q(`apikey: ${t.anonKey}`)} -H 'content-type: application/json' \\
  -d '{"email":"you@example.com","password":"…"}' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')

curl -s -X POST ${q(`${t.url}/api/v1/jobs/submit`)} \\
  -H ${q(`apikey: ${t.anonKey}`)} -H "Authorization: Bearer $TOKEN" \\
  -H 'content-type: application/json' \\
  -d '{"job_name":"process-data","payload":{"items":[1,2,3]}}'

curl -s ${q(`${t.url}/api/v1/jobs/<job id>`)} -H ${q(`apikey: ${t.anonKey}`)} -H "Authorization: Bearer $TOKEN"`;
}

export function pythonSnippet(t: SnippetTarget): string {
  return `# pip install requests
import requests

BASE = "${t.url}"
API_KEY = "${t.anonKey}"

s = requests.Session()
s.headers["apikey"] = API_KEY
token = s.post(f"{BASE}/api/v1/auth/signin",
               json={"email": "you@example.com", "password": "…"}).json()["access_token"]
s.headers["Authorization"] = f"Bearer {token}"

job = s.post(f"{BASE}/api/v1/jobs/submit",
             json={"job_name": "process-data", "payload": {"items": [1, 2, 3]}}).json()
print(s.get(f"{BASE}/api/v1/jobs/{job['id']}").json()["status"])`;
}
