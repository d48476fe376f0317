-- Training sessions (docs/training-sessions.md): Tinker's model, the user drives the loop and a
-- warm container of the session processor holds the model. Every call is an ordinary run; the
-- run carries its session and op, and its command waits in the outbox while an earlier run of
-- the same session is still in flight (calls run in the order they were made), keyed on Kafka by
-- the session (partition_key) so a session's runs reach one executor.
CREATE TABLE training_sessions (
    session_id        TEXT PRIMARY KEY,
    owner             TEXT        NOT NULL,
    base_model        TEXT        NOT NULL,
    processor_ref     TEXT        NOT NULL,
    lora_config       TEXT        NOT NULL,
    status            TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'expired')),
    client_session_id TEXT,
    idempotency_key   TEXT,
    created_future    TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at         TIMESTAMPTZ
);
CREATE UNIQUE INDEX training_sessions_idempotency ON training_sessions (owner, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX training_sessions_open ON training_sessions (last_heartbeat_at) WHERE status = 'open';
CREATE INDEX training_sessions_client ON training_sessions (client_session_id) WHERE client_session_id IS NOT NULL;

-- Tinker's client sessions: a heartbeat on one keeps every training session made in it alive.
CREATE TABLE client_sessions (
    client_session_id TEXT PRIMARY KEY,
    owner             TEXT        NOT NULL,
    tags              TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE runs ADD COLUMN session_id TEXT;
ALTER TABLE runs ADD COLUMN session_op TEXT;
CREATE INDEX runs_session_active ON runs (session_id) WHERE session_id IS NOT NULL AND status IN ('queued', 'running');

ALTER TABLE outbox ADD COLUMN partition_key TEXT;
CREATE INDEX outbox_partition_key ON outbox (partition_key, id) WHERE partition_key IS NOT NULL;
