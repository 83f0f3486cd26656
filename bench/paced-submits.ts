// The latency client of bench/full-path.ts, in its own process (fork-client.ts) as a real
// client would be: `count` submits at `perSecond`, each on its own schedule whether or not
// the one before has been answered, over keep-alive connections. Times are read on the
// wall clock (ms since the epoch, microsecond precision) so that the server's process and
// the sandbox's can be compared with them.
import { serveOneCommand } from "./fork-client.ts";
import { atRate, wallClock } from "./stats.ts";
import { submitRequester, type SubmitRequest } from "./submit-request.ts";

export interface PacedSubmitCommand extends SubmitRequest {
  count: number;
  perSecond: number;
}

export interface PacedSubmit {
  id: string;
  /** When the request was sent and its answer read (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
}

async function run(command: PacedSubmitCommand): Promise<PacedSubmit[]> {
  const { send, close } = submitRequester(command);
  const results: PacedSubmit[] = [];
  await atRate(command.count, command.perSecond, async (i) => {
    const sentAt = wallClock();
    const body = await send();
    const answeredAt = wallClock();
    results[i] = { id: (JSON.parse(body) as { id: string }).id, sentAt, answeredAt };
  });
  close();
  return results;
}

serveOneCommand(run);
