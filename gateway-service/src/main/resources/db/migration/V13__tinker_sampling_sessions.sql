-- Tinker's surface (docs/tinker-api.md). create_session honours x-idempotency-key: one client
-- session per owner and key, so a retried create finds the first (another owner's key is theirs).
ALTER TABLE client_sessions ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX client_sessions_idempotency ON client_sessions (owner, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Sampling sessions: what asample samples when it names one (a base model, or a sampler
-- checkpoint on its base model). One per client session and seq id, as Tinker's SDK numbers them.
CREATE TABLE sampling_sessions (
    sampling_session_id TEXT PRIMARY KEY,
    owner               TEXT        NOT NULL,
    client_session_id   TEXT        NOT NULL REFERENCES client_sessions (client_session_id) ON DELETE CASCADE,
    seq_id              INTEGER,
    base_model          TEXT        NOT NULL,
    model_path          TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sampling_sessions_seq ON sampling_sessions (owner, client_session_id, seq_id) WHERE seq_id IS NOT NULL;
