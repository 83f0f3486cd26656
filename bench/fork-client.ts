// Runs a benchmark's clients in a process of their own (forked with IPC), so that sending
// requests and reading answers shares neither an event loop nor a CPU figure with the
// server: the child gets one command and answers { ok, result } or { ok: false, error }.
import { fork } from "node:child_process";

export function runInChild<Command, Result>(script: URL, command: Command): Promise<Result> {
  const child = fork(script);
  return new Promise((resolve, reject) => {
    child.once("message", (m: { ok: true; result: Result } | { ok: false; error: string }) =>
      m.ok ? resolve(m.result) : reject(new Error(m.error)),
    );
    child.once("exit", (code) => reject(new Error(`${script.pathname} exited (${code})`)));
    child.send(command as object);
  });
}

/** The child's side: runs `fn` on the one command it is sent, answers and exits. */
export function serveOneCommand<Command, Result>(fn: (command: Command) => Promise<Result>): void {
  process.once("message", (command: Command) => {
    fn(command).then(
      (result) => process.send!({ ok: true, result }, () => process.exit(0)),
      (err: unknown) => process.send!({ ok: false, error: String(err) }, () => process.exit(1)),
    );
  });
}
