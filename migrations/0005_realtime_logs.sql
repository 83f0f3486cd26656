-- Execution log lines for the realtime hub (subscribe_logs, compatibility §3.2): every line written
-- to logging.entries is announced on 'fluxbase_logs', whichever process wrote it, but only
-- while a hub holds a live lease on (logging, entries) in realtime.listeners (the lease
-- mechanism of 0004). One statement-level trigger per insert: the lease is looked up once
-- per batch of lines, not per line.
--
-- pg_notify payloads must stay under 8000 bytes: a long message is cut (by halves until the
-- payload fits) and flagged `truncated`, and the hub reads the whole line back by
-- (execution_id, line_number). A large line never makes the insert fail.
CREATE FUNCTION logging.notify_realtime_log() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  line record;
  msg text;
  body text;
  cut boolean;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM realtime.listeners l
                 WHERE l.schema_name = 'logging' AND l.table_name = 'entries'
                   AND l.expires_at > now()) THEN
    RETURN NULL;
  END IF;
  FOR line IN SELECT * FROM new_lines ORDER BY execution_id, line_number LOOP
    msg := line.message;
    cut := false;
    LOOP
      body := json_build_object(
        'execution_id', line.execution_id, 'line_number', line.line_number, 'level', line.level,
        'message', msg, 'timestamp', line."timestamp", 'truncated', cut)::text;
      EXIT WHEN octet_length(body) <= 7900;
      msg := left(msg, length(msg) / 2);
      cut := true;
    END LOOP;
    PERFORM pg_notify('fluxbase_logs', body);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER entries_realtime_notify AFTER INSERT ON logging.entries
  REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION logging.notify_realtime_log();
