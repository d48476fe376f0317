-- Where a queued run waits according to the executor that took it (docs/slurm.md): a backend
-- that queues runs itself (a Slurm job still PENDING) says so with a queued event; the text is
-- shown in the run's queue, and the sweeper then leaves the capacity deadline to that executor
-- for the sweeper's grace, so the run ends with the backend's reason.
ALTER TABLE runs ADD COLUMN queue_waiting TEXT;
