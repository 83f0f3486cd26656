-- Change notifications and row-level security for the jobs schema.

-- Wake idle workers at once when a job becomes claimable. Identical notifications
-- inside one transaction collapse into one, so a batch insert wakes the pool once.
CREATE FUNCTION jobs.notify_wake() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'pending' THEN
    PERFORM pg_notify('jobs_wake', '');
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER queue_wake_insert AFTER INSERT ON jobs.queue
  FOR EACH ROW EXECUTE FUNCTION jobs.notify_wake();
CREATE TRIGGER queue_wake_requeue AFTER UPDATE OF status ON jobs.queue
  FOR EACH ROW WHEN (NEW.status = 'pending' AND OLD.status IS DISTINCT FROM 'pending')
  EXECUTE FUNCTION jobs.notify_wake();

-- Row changes for the realtime hub: the triggers and their switch are in 0016.

-- Row-level security: the guide's four policies on jobs.queue, plus admin read access.
ALTER TABLE jobs.queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs.functions ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs.workers ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs.function_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE logging.entries ENABLE ROW LEVEL SECURITY;

CREATE POLICY "Users can read their own jobs" ON jobs.queue FOR SELECT
  TO authenticated USING (created_by = auth.uid());
CREATE POLICY "Users can submit jobs" ON jobs.queue FOR INSERT
  TO authenticated WITH CHECK (created_by = auth.uid());
-- Tightened from the guide: only the status and completion time may change (column
-- grants below), and only from pending/running to cancelled.
CREATE POLICY "Users can cancel their own pending/running jobs" ON jobs.queue FOR UPDATE
  TO authenticated
  USING (created_by = auth.uid() AND status IN ('pending', 'running'))
  WITH CHECK (created_by = auth.uid() AND status = 'cancelled');
CREATE POLICY "Service role can manage all jobs" ON jobs.queue FOR ALL
  TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Admins can read all jobs" ON jobs.queue FOR SELECT
  TO authenticated USING (auth.role() IN ('admin', 'dashboard_admin'));

CREATE POLICY "Service role manages functions" ON jobs.functions FOR ALL
  TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Admins read functions" ON jobs.functions FOR SELECT
  TO authenticated USING (auth.role() IN ('admin', 'dashboard_admin'));
CREATE POLICY "Service role manages workers" ON jobs.workers FOR ALL
  TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Admins read workers" ON jobs.workers FOR SELECT
  TO authenticated USING (auth.role() IN ('admin', 'dashboard_admin'));
CREATE POLICY "Service role manages function files" ON jobs.function_files FOR ALL
  TO service_role USING (true) WITH CHECK (true);
CREATE POLICY "Admins read function files" ON jobs.function_files FOR SELECT
  TO authenticated USING (auth.role() IN ('admin', 'dashboard_admin'));
CREATE POLICY "Service role manages logs" ON logging.entries FOR ALL
  TO service_role USING (true) WITH CHECK (true);

GRANT USAGE ON SCHEMA jobs, logging TO authenticated, service_role;
GRANT SELECT ON ALL TABLES IN SCHEMA jobs TO authenticated;
-- No INSERT grant: submitting goes through the API, which checks require_role.
GRANT UPDATE (status, completed_at) ON jobs.queue TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA jobs, logging TO service_role;
