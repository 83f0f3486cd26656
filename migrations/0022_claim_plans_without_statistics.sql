-- Claim plans that do not depend on how fresh jobs.queue's statistics are (issue 17).
--
-- A queue swings from empty to thousands of pending rows and back within seconds, faster
-- than autovacuum's ANALYZE (at most once a minute) can follow. With statistics taken when
-- few rows were pending or running, the planner expected a handful of rows from the claim's
-- two partial indexes and chose bitmap scans:
-- - `candidates` read and sorted every pending row to keep the first few (a bitmap scan
--   yields no order), so each claim cost grew with the backlog;
-- - `busy` visited, through queue_running_idx, every job that had run since the last
--   VACUUM: a completion leaves its row's old `running` version in that index, and only a
--   plain index scan marks such entries dead as it passes them (a bitmap scan never does).
-- An ANALYZE mid-drain halved PostgreSQL's CPU per claim and completion
-- (bench/claim-cost.ts); these two changes give the claim that plan without one. (The
-- claim's last step finds its rows by primary key whatever the estimates, claim.ts.)

-- 1. status keeps fixed statistics: a mix in which pending rows are common enough that
--    walking queue_claim_idx in order and stopping at LIMIT is the plan even for a claim of
--    20 on a small table, whatever the queue held at the last ANALYZE (a fifth pending was
--    not enough: test/integration/queue-sql.test.ts, "claim plans"). Its statistics target
--    0 makes ANALYZE leave them be. (pg_restore_attribute_stats is PostgreSQL 18's; an
--    older server keeps ANALYZE's.)
DO $$
BEGIN
  IF to_regprocedure('pg_catalog.pg_restore_attribute_stats("any")') IS NOT NULL THEN
    ALTER TABLE jobs.queue ALTER COLUMN status SET STATISTICS 0;
    PERFORM pg_catalog.pg_restore_attribute_stats(
      'schemaname', 'jobs', 'relname', 'queue', 'attname', 'status', 'inherited', false,
      'null_frac', 0::real, 'avg_width', 8, 'n_distinct', 5::real,
      'most_common_vals', '{completed,pending,running,failed,cancelled}'::text,
      'most_common_freqs', '{0.4,0.4,0.1,0.05,0.05}'::real[]);
  END IF;
END
$$;

-- 2. The running jobs per namespace, for the claim's `busy` step, counted by a plain scan of
--    queue_running_idx (in namespace order, no sort), which drops the dead entries it
--    meets; never a sequential scan of the whole table either. A function, because only a
--    function can carry planner settings; STABLE, so it reads with the claim's own
--    snapshot. `not_counted`: the ids the claim is completing in the same statement (whose
--    new versions the statement cannot see).
CREATE FUNCTION jobs.running_by_namespace(not_counted uuid[])
RETURNS TABLE (namespace text, running bigint)
LANGUAGE sql STABLE
SET enable_bitmapscan = off
SET enable_seqscan = off
SET search_path = pg_catalog
AS $$
  SELECT q.namespace, count(*) FROM jobs.queue q
  WHERE q.status = 'running' AND (not_counted IS NULL OR q.id <> ALL (not_counted))
  GROUP BY q.namespace
$$;
REVOKE ALL ON FUNCTION jobs.running_by_namespace(uuid[]) FROM PUBLIC;
