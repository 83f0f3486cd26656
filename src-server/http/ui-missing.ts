// The UI at `/` whether or not it has been built: the built files when the folder holds an
// index.html (checked on every request, so a build made while the server runs is served
// at once), else a small page saying how to build it, so every URL the server prints opens
// something useful instead of a JSON 404. API paths are never answered here.
import { existsSync } from "node:fs";
import path from "node:path";
import { createStaticFiles, staticTarget, type StaticFallback } from "./static.ts";

export interface UiFallbackOptions {
  /** Where the built UI is (out/renderer of a checkout). */
  dir: string;
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Fluxbase Local</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:0 .25rem}</style>
</head>
<body>
<h1>Fluxbase Local is running</h1>
<p>The API answers here, but the web UI has not been built in this checkout.</p>
<p>Build it with <code>npm run build</code> (or start the server with <code>npm run serve</code>,
which builds it when it is missing or stale), then reload this page.</p>
<p>API health: <a href="/health">/health</a></p>
</body>
</html>
`;

export function createUiFallback(options: UiFallbackOptions): StaticFallback {
  const files = createStaticFiles({ dir: options.dir });
  const index = path.join(options.dir, "index.html");
  return async (req, res) => {
    if (existsSync(index)) return files(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const target = staticTarget(req.url ?? "/");
    if (target.kind !== "file" || target.relative.startsWith("assets/")) return false;
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(PAGE).toString(),
      "cache-control": "no-cache",
    });
    res.end(req.method === "HEAD" ? undefined : PAGE);
    return true;
  };
}
