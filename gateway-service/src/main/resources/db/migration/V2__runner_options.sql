-- The same idempotency key returns the same run.
ALTER TABLE runs ADD COLUMN idempotency_key TEXT UNIQUE;
-- Budget: the plan a run is charged to, and the worst case it holds until it ends.
ALTER TABLE runs ADD COLUMN plan TEXT;
ALTER TABLE runs ADD COLUMN reserved DOUBLE PRECISION NOT NULL DEFAULT 0;

CREATE TABLE plans (
    key          TEXT PRIMARY KEY,
    credit_limit DOUBLE PRECISION NOT NULL,
    spent        DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Secret values, AES-GCM encrypted with the gateway's key; names are not secret.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    sealed     BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
