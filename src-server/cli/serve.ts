// `fluxbase-local serve` and `fluxbase-local worker`: run the stack until a signal.
import { resolveConfig } from "../config/index.ts";
import { createLogger } from "../logger.ts";
import { startLocalStack, type LocalStack } from "../main.ts";

export interface RunServerOptions {
  argv: string[];
  mode: "serve" | "worker";
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Printed lines go here (default stdout). */
  print?: (line: string) => void;
}

export async function runServer(options: RunServerOptions): Promise<LocalStack> {
  const print = options.print ?? ((l: string) => process.stdout.write(l + "\n"));
  const config = resolveConfig({
    argv: options.argv,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  });
  const logger = createLogger(config.logLevel);
  const stack = await startLocalStack({ config, logger, mode: options.mode });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      print(`Received ${signal} again: exiting now.`);
      process.exit(130);
    }
    print(
      `Received ${signal}: finishing running jobs (up to ${Math.round(config.jobs.gracefulShutdownTimeoutMs / 1000)}s). Press Ctrl+C again to exit at once.`,
    );
    stack.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error("shutdown failed", { error: err.message });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  if (options.mode === "worker") {
    print(`Fluxbase Local worker running (${stack.pool.workerIds().length} workers)`);
  } else {
    print(`Data:      ${config.dataDir}${stack.embedded ? " (embedded PostgreSQL)" : ""}`);
    print(
      `Jobs:      ${config.jobs.jobsDir}${stack.loaded ? ` (${stack.loaded.created.length + stack.loaded.updated.length + stack.loaded.unchanged.length} functions)` : ""}`,
    );
    print(`API keys:  ${stack.keys.file}`);
    print(`Anon key:  ${stack.keys.anonKey}`);
    print(`Fluxbase Local ready at ${stack.url}`);
    if (stack.uiLoginCode) print(`Sign in: ${stack.url}/#/login?code=${stack.uiLoginCode}`);
  }
  return stack;
}
