-- Cheaper job writes and a secrets generation (issue 17).
--
-- 1. The runs search's trigram index covers finished rows only. A job's row is written three
--    times (submit, claim, completion); status is in partial index predicates, so none of
--    those updates is HOT and each row version went into every index, the trigram one
--    included: computing the trigrams of id, function, email, error, payload and result
--    and inserting them into the GIN index cost about a tenth of PostgreSQL's time per job.
--    Only the completion (or failure, cancellation) now pays it. The search reads finished
--    rows through this index and the pending and running rows (a queue's few) through
--    queue_claim_idx and queue_running_idx, and checks the text of each
--    (src-server/db/queries/job-list.ts); the results are the same.
DROP INDEX IF EXISTS jobs.queue_search_trgm_idx;
CREATE INDEX queue_search_trgm_idx ON jobs.queue
  USING gin (jobs.search_text(id, job_name, user_email, error_message, payload, result) gin_trgm_ops)
  WHERE status IN ('completed', 'failed', 'cancelled');

-- 2. A counter bumped by every change of a secret (settings secrets and function secrets,
--    any statement, from any server or the CLI). The claim returns it with each job, and a
--    server keeps the secrets it decrypted for a user and namespace tagged with the counter
--    read beside them: a job whose claim saw a newer counter reads them again. So a job
--    submitted after a secret changed always sees the change, and the other jobs need no
--    round trip for their secrets (src-server/secrets/job-secrets-cache.ts).
CREATE TABLE secrets.generation (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version bigint NOT NULL DEFAULT 0
);
INSERT INTO secrets.generation DEFAULT VALUES;
ALTER TABLE secrets.generation ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON secrets.generation FROM PUBLIC;

CREATE FUNCTION secrets.bump_generation() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  UPDATE secrets.generation SET version = version + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER secrets_bump_generation AFTER INSERT OR UPDATE OR DELETE ON secrets.secrets
  FOR EACH STATEMENT EXECUTE FUNCTION secrets.bump_generation();
CREATE TRIGGER secrets_bump_generation_truncate AFTER TRUNCATE ON secrets.secrets
  FOR EACH STATEMENT EXECUTE FUNCTION secrets.bump_generation();
CREATE TRIGGER function_secrets_bump_generation AFTER INSERT OR UPDATE OR DELETE ON secrets.function_secrets
  FOR EACH STATEMENT EXECUTE FUNCTION secrets.bump_generation();
CREATE TRIGGER function_secrets_bump_generation_truncate AFTER TRUNCATE ON secrets.function_secrets
  FOR EACH STATEMENT EXECUTE FUNCTION secrets.bump_generation();
