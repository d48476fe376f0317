-- Transactional outbox: a run's command is committed together with its run row, and a relay
-- (on every replica, SELECT ... FOR UPDATE SKIP LOCKED) publishes each row and deletes it.
-- The sweeper's terminal events go out the same way, so every replica's consumer fans them out.
CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    topic      TEXT        NOT NULL,
    record_key TEXT        NOT NULL,
    payload    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX outbox_record_key ON outbox (record_key);

-- What the sweeper needs to find runs that nobody will end: the run's own timeout (null for runs
-- submitted on the bus), when its command reached Kafka, and when its latest attempt started.
ALTER TABLE runs ADD COLUMN timeout_seconds INT;
ALTER TABLE runs ADD COLUMN published_at TIMESTAMPTZ;
ALTER TABLE runs ADD COLUMN started_at TIMESTAMPTZ;
CREATE INDEX runs_unfinished ON runs (status, updated_at) WHERE status IN ('queued', 'running');
