-- One claim statement, and the realtime gate stated once: which tables announce their row
-- changes on 'fluxbase_changes' (compatibility §7.5), and when.
--
-- A realtime hub holds a lease in realtime.listeners (0004) on each table its sockets
-- subscribe to. A table's row trigger is switched on only while a live lease on it exists:
-- a disabled trigger costs a write nothing, where even a trigger that returned at once
-- cost about a quarter of a claim. realtime.sync_triggers() sets every realtime trigger
-- to match the leases; the hubs' lease keepers call it after every lease change and on
-- each renewal. A trigger left on after its hub died (until another hub's renewal turns
-- it off) still sends nothing once the lease has expired.
--
-- The tables are the ones with a trigger on jobs.notify_realtime_change below; the switch
-- finds them by that function, so this list is the only one in SQL. (The server's list of
-- the tables it serves, src-server/realtime/job-tables.ts, is checked against it by a
-- test.) jobs.function_files had a trigger too, but no socket may subscribe to it, so its
-- lease was never taken and the trigger never ran: it is dropped.
--
-- Data dirs migrated before this file defined all of this in 0003, 0004 and 0010; it is
-- replaced here, so a fresh database and an upgraded one end up the same.

-- One claim statement (src-server/db/queries/claim.ts) replaces the claim function of 0004.
DROP FUNCTION IF EXISTS jobs.claim_jobs(uuid, int, int);
-- The claim walks queue_claim_idx in order, skipping namespaces at their limit
-- (`namespace <> ALL (<the full ones>)`, a list known only while the statement runs). The
-- planner estimates that test from the number of distinct namespaces, and with a single
-- namespace in use (the usual case) it judged that no row would pass, so it sorted every
-- pending row instead of stopping at the first ones the index yields. Telling it to assume
-- many namespaces keeps its estimate near the truth: most rows pass.
ALTER TABLE jobs.queue ALTER COLUMN namespace SET (n_distinct = 100);
ANALYZE jobs.queue;

-- The realtime gate.

-- payload, result and content are left out, and a row too large for pg_notify's
-- 8000-byte limit is announced by id only: the hub fetches it, so a large row never makes
-- the write fail.
CREATE OR REPLACE FUNCTION jobs.notify_realtime_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  rec jsonb;
  old_rec jsonb;
  body text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM realtime.listeners l
                 WHERE l.schema_name = TG_TABLE_SCHEMA AND l.table_name = TG_TABLE_NAME
                   AND l.expires_at > now()) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    rec := to_jsonb(NEW) - 'payload' - 'result' - 'content';
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_rec := to_jsonb(OLD) - 'payload' - 'result' - 'content';
  END IF;
  body := json_build_object(
    'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'type', TG_OP,
    'commit_timestamp', now(), 'record', rec, 'old_record', old_rec)::text;
  IF octet_length(body) > 7900 THEN
    body := json_build_object(
      'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'type', TG_OP,
      'commit_timestamp', now(), 'truncated', true,
      'id', coalesce(rec ->> 'id', old_rec ->> 'id'))::text;
  END IF;
  PERFORM pg_notify('fluxbase_changes', body);
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS queue_realtime_notify ON jobs.queue;
DROP TRIGGER IF EXISTS workers_realtime_notify ON jobs.workers;
DROP TRIGGER IF EXISTS function_files_realtime_notify ON jobs.function_files;
CREATE TRIGGER queue_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON jobs.queue
  FOR EACH ROW EXECUTE FUNCTION jobs.notify_realtime_change();
CREATE TRIGGER workers_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON jobs.workers
  FOR EACH ROW EXECUTE FUNCTION jobs.notify_realtime_change();
-- Off until a hub's lease asks for them (realtime.sync_triggers below).
ALTER TABLE jobs.queue DISABLE TRIGGER queue_realtime_notify;
ALTER TABLE jobs.workers DISABLE TRIGGER workers_realtime_notify;

-- Callers are serialised by an advisory lock, and each reads the leases after taking it,
-- so the last caller always leaves the state the leases ask for. ALTER TABLE waits for
-- writers in flight and makes new ones wait behind it: lock_timeout keeps a long
-- transaction from stalling the queue (the caller tries again on its next renewal).
CREATE OR REPLACE FUNCTION realtime.sync_triggers() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  wanted boolean;
BEGIN
  PERFORM pg_advisory_xact_lock(77431641210896);  -- 0x466c7578_0010
  FOR t IN
    SELECT tr.tgname, c.relname, n.nspname, tr.tgenabled <> 'D' AS enabled
    FROM pg_trigger tr JOIN pg_class c ON c.oid = tr.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE tr.tgfoid = 'jobs.notify_realtime_change()'::regprocedure AND NOT tr.tgisinternal
  LOOP
    wanted := EXISTS (SELECT 1 FROM realtime.listeners l
                      WHERE l.schema_name = t.nspname AND l.table_name = t.relname AND l.expires_at > now());
    IF wanted <> t.enabled THEN
      SET LOCAL lock_timeout = '2s';
      EXECUTE format('ALTER TABLE %I.%I %s TRIGGER %I', t.nspname, t.relname,
                     CASE WHEN wanted THEN 'ENABLE' ELSE 'DISABLE' END, t.tgname);
    END IF;
  END LOOP;
END
$$;
