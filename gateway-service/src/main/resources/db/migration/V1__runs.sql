-- One row per run: its latest state and, once it ends, its envelope.
CREATE TABLE runs (
    execution_id   TEXT PRIMARY KEY,
    ref            TEXT        NOT NULL,
    adapter        TEXT        NOT NULL,
    mode           TEXT        NOT NULL,
    status         TEXT        NOT NULL,
    envelope       JSONB,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX runs_created_at ON runs (created_at DESC);

-- Every event of every run, for replay to late WebSocket subscribers; idempotent on the key.
CREATE TABLE run_events (
    execution_id TEXT   NOT NULL,
    attempt      INT    NOT NULL,
    seq          BIGINT NOT NULL,
    body         JSONB  NOT NULL,
    PRIMARY KEY (execution_id, attempt, seq)
);
