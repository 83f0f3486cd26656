// The reference: a minimal FOR UPDATE SKIP LOCKED claim/complete loop on its own table,
// one connection per concurrent loop, one job per claim.
import pg from "pg";

export async function runBaselineLoop(options: {
  url: string;
  jobs: number;
  concurrency: number;
}): Promise<number> {
  const setup = new pg.Client({ connectionString: options.url });
  await setup.connect();
  await setup.query(`DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench;
    CREATE TABLE bench.loop_jobs (id bigserial PRIMARY KEY, status text NOT NULL DEFAULT 'pending',
      payload jsonb NOT NULL DEFAULT '{}', result jsonb, created_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX ON bench.loop_jobs (id) WHERE status = 'pending';`);
  await setup.query(
    "INSERT INTO bench.loop_jobs (payload) SELECT '{}' FROM generate_series(1, $1)",
    [options.jobs],
  );
  await setup.query("VACUUM ANALYZE bench.loop_jobs");
  const clients = await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      const c = new pg.Client({ connectionString: options.url });
      await c.connect();
      return c;
    }),
  );
  const start = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (;;) {
        const { rows } = await c.query<{ id: string }>(
          `UPDATE bench.loop_jobs SET status = 'running' WHERE id = (
             SELECT id FROM bench.loop_jobs WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING id`,
        );
        if (rows.length === 0) return;
        await c.query("UPDATE bench.loop_jobs SET status = 'done', result = '{}' WHERE id = $1", [
          rows[0]!.id,
        ]);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  await setup.query("DROP SCHEMA bench CASCADE");
  await setup.end();
  return options.jobs / seconds;
}
