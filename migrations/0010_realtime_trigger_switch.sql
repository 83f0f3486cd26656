-- The realtime row triggers are switched on only while some hub holds a live lease on
-- their table. 0004's lease check inside the trigger function made an unwatched write
-- skip building the notification, but the trigger still ran for every row (and a WHEN
-- clause in front of it is compiled for every statement): about a quarter of a claim's
-- cost. A disabled trigger costs nothing.
--
-- realtime.sync_triggers() sets each trigger to match the leases. Callers (the hubs'
-- lease keepers, after every lease change and on each renewal) are serialised by an
-- advisory lock, and each reads the leases after taking it, so the last caller always
-- leaves the state the leases ask for. ALTER TABLE waits for writers in flight and makes
-- new ones wait behind it: lock_timeout keeps a long transaction from stalling the queue
-- (the caller tries again on its next renewal).
ALTER TABLE jobs.queue DISABLE TRIGGER queue_realtime_notify;
ALTER TABLE jobs.workers DISABLE TRIGGER workers_realtime_notify;
ALTER TABLE jobs.function_files DISABLE TRIGGER function_files_realtime_notify;

CREATE FUNCTION realtime.sync_triggers() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  wanted boolean;
BEGIN
  PERFORM pg_advisory_xact_lock(77431641210896);  -- 0x466c7578_0010
  FOR t IN
    SELECT tr.tgname, c.relname, n.nspname, tr.tgenabled <> 'D' AS enabled
    FROM pg_trigger tr JOIN pg_class c ON c.oid = tr.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE (n.nspname, c.relname, tr.tgname) IN (('jobs', 'queue', 'queue_realtime_notify'),
      ('jobs', 'workers', 'workers_realtime_notify'), ('jobs', 'function_files', 'function_files_realtime_notify'))
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
