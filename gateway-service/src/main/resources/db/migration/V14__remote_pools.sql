-- Remote runs (docs/remote.md): the pool whose executors a run waits for (its command is on
-- hangar.runs.requested.<pool>), and how long it may wait there before ERR_NO_CAPACITY.
ALTER TABLE runs ADD COLUMN pool TEXT;
ALTER TABLE runs ADD COLUMN capacity_wait_seconds INT;
CREATE INDEX runs_pool_queued ON runs (published_at) WHERE pool IS NOT NULL AND status = 'queued';
