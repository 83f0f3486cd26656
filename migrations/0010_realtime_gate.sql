-- A gate in front of the realtime row triggers, so that a write nobody watches queues no
-- trigger event at all. A hub holding any lease keeps realtime.listening_until at its
-- lease's expiry (epoch seconds; setval is not transactional, so it shows at once and
-- needs no row lock). The triggers' WHEN clause reads it: while it is in the past the
-- trigger function is not even called; while it is in the future the function's own
-- per-table lease check (0004) decides as before. (date_part gives a float: comparing
-- with extract's numeric cost a tenth of a claim statement.)
CREATE SEQUENCE realtime.listening_until MINVALUE 0 START 0;
-- pg_sequence_last_value needs SELECT on the sequence, and the WHEN clause runs as the writer.
GRANT SELECT ON SEQUENCE realtime.listening_until TO PUBLIC;

DROP TRIGGER queue_realtime_notify ON jobs.queue;
CREATE TRIGGER queue_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON jobs.queue
  FOR EACH ROW WHEN (pg_sequence_last_value('realtime.listening_until') > date_part('epoch', now()))
  EXECUTE FUNCTION jobs.notify_realtime_change();

DROP TRIGGER workers_realtime_notify ON jobs.workers;
CREATE TRIGGER workers_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON jobs.workers
  FOR EACH ROW WHEN (pg_sequence_last_value('realtime.listening_until') > date_part('epoch', now()))
  EXECUTE FUNCTION jobs.notify_realtime_change();

DROP TRIGGER function_files_realtime_notify ON jobs.function_files;
CREATE TRIGGER function_files_realtime_notify AFTER INSERT OR UPDATE OR DELETE ON jobs.function_files
  FOR EACH ROW WHEN (pg_sequence_last_value('realtime.listening_until') > date_part('epoch', now()))
  EXECUTE FUNCTION jobs.notify_realtime_change();
