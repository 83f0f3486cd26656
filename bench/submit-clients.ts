// The HTTP clients of bench/submit-path.ts, in their own process (forked with IPC) so that
// sending requests and reading answers does not share an event loop, or a CPU figure, with
// the server: `clients` keep-alive connections, each submitting back to back.
import { serveOneCommand } from "./fork-client.ts";
import { submitRequester, type SubmitRequest } from "./submit-request.ts";

export interface SubmitLoadCommand extends SubmitRequest {
  clients: number;
  /** Requests before timing starts (connections, caches). */
  warmup: number;
  total: number;
}

export interface SubmitLoadResult {
  /** Milliseconds from the first timed request to the last answer. */
  elapsedMs: number;
  latencies: number[];
  /** CPU milliseconds this client process spent in the timed phase. */
  clientCpuMs: number;
}

function submitter(command: SubmitLoadCommand) {
  const { send, close } = submitRequester(command, { maxSockets: command.clients });
  return { one: async () => void (await send()), close };
}

async function run(command: SubmitLoadCommand): Promise<SubmitLoadResult> {
  const { one, close } = submitter(command);
  const loop = async (n: number, latencies?: number[]) => {
    let left = n;
    await Promise.all(
      Array.from({ length: command.clients }, async () => {
        while (left-- > 0) {
          const t = performance.now();
          await one();
          latencies?.push(performance.now() - t);
        }
      }),
    );
  };
  await loop(command.warmup);
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await loop(command.total, latencies);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  close();
  return { elapsedMs, latencies, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

serveOneCommand(run);
