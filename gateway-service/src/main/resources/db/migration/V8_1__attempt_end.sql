-- An executor reports the end of an attempt once Kafka has its terminal envelope
-- (docs/delivery.md). A claim of a run whose attempt has ended is refused at once, however far
-- the gateway's event consumer lags behind: the run's own status arrives only through the bus.
ALTER TABLE run_attempts ADD COLUMN ended_status TEXT
    CHECK (ended_status IS NULL OR ended_status IN ('success', 'error', 'canceled'));
