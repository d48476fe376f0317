-- Per-owner concurrency limit (docs/delivery.md, Queueing): a run's command waits in the outbox
-- while its owner already has owner-max-active runs dispatched and unfinished; the relay releases
-- an owner's rows oldest first as its runs end. The owner on the row lets the relay and the
-- queue position find them without reading the runs table; null for rows that are never held
-- (the sweeper's terminal events, runs without an owner).
ALTER TABLE outbox ADD COLUMN owner TEXT;
CREATE INDEX outbox_owner ON outbox (owner, id) WHERE owner IS NOT NULL;
-- The W3C trace context of the submission, so the relay's publish continues the request's trace.
ALTER TABLE outbox ADD COLUMN traceparent TEXT;

-- An owner's dispatched, unfinished runs: what its limit counts.
CREATE INDEX runs_owner_active ON runs (owner) WHERE status IN ('queued', 'running') AND published_at IS NOT NULL;

-- Commands waiting from before this migration wait for their owner's slot too.
UPDATE outbox o SET owner = r.owner FROM runs r
    WHERE o.topic = 'hangar.runs.requested' AND r.execution_id = o.record_key AND r.owner IS NOT NULL;
