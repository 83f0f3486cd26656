// Parts of Deno load on their first use in a process, and a job's first run paid for them:
// the first `new Request` (the fetch machinery, ~6 ms), the first `setImmediate` (Deno's
// Node timers, 7-27 ms), the first module imported from anything but a file (the module
// loader, ~1-2 ms) and the first use of `Response` (~0.9 ms: the check of a handler's
// result, src-runtime/result.ts).
// A process runs them once as it starts, before it reads its first job, so a process
// started ahead of time (the warm pool) has paid before any job waits on it
// (docs/architecture.md, "Sandbox memory" and "A job's first run in a process").
// Called before any job code runs: only the platform's own globals are used.

const RequestClass = Request;
const ResponseClass = Response;
const nextTurn = globalThis.setImmediate;
const WARM_UP_MODULE = "data:application/javascript,export%20%7B%7D%3B";

export async function warmUp(): Promise<void> {
  try {
    // A handler's `req` is built like this one (src-runtime/handler.ts).
    new RequestClass("http://127.0.0.1/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    new ResponseClass("{}");
    // A data: URL, not a blob: one: a debug session takes the one blob: script for the job's.
    await import(WARM_UP_MODULE);
    await new Promise((resolve) => nextTurn(resolve));
  } catch {
    // Nothing is lost: the first job then pays for what did not load here.
  }
}
