-- Which worker process runs which job, with a heartbeat: an active job whose lease went stale
-- belongs to a process that died, and is failed over (and so retried) by any live worker.
CREATE TABLE job_leases (
  job_id       uuid PRIMARY KEY,
  name         text NOT NULL,
  worker_id    text NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
