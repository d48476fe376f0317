-- The attempt counter of each run (docs/delivery.md): an executor claims the next attempt before
-- it starts one, so a command redelivered after an executor was lost runs as attempt 2, 3, ...
-- Its own table, so a bus-submitted run can be counted before its first event creates its row.
-- The executor holding the current attempt renews lease_until while it runs; another executor's
-- claim waits until the lease has expired.
CREATE TABLE run_attempts (
    execution_id TEXT        PRIMARY KEY,
    attempt      INT         NOT NULL CHECK (attempt >= 1),
    max_attempts INT         NOT NULL CHECK (max_attempts >= 1),
    executor_id  TEXT        NOT NULL,
    claimed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until  TIMESTAMPTZ NOT NULL
);
