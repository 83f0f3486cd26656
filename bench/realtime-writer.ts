// The direct-SQL writer of bench/realtime.ts, in its own process so the hub's work does not
// slow it down: `count` progress updates at `rate`/s, update k on job ids[k % n] with the
// message "#k", each its own transaction.
import { createDb } from "../src-server/db/connections.ts";
import { atRate } from "./stats.ts";

export interface WriteCommand {
  url: string;
  ids: string[];
  rate: number;
  count: number;
}

process.once("message", (command: WriteCommand) => {
  void (async () => {
    const db = createDb({ connectionString: command.url, max: 16 });
    const t0 = performance.now();
    await atRate(command.count, command.rate, async (k) => {
      await db.query(
        "UPDATE jobs.queue SET progress = $2, last_progress_at = now() WHERE id = $1",
        [
          command.ids[k % command.ids.length],
          JSON.stringify({ percent: k % 100, message: `#${k}` }),
        ],
      );
    });
    const seconds = (performance.now() - t0) / 1000;
    await db.end();
    process.send!({ achieved: command.count / seconds }, () => process.exit(0));
  })();
});
