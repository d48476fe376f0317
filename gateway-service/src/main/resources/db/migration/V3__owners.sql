-- API tokens (stored as sha256) and the owner each one acts as.
CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Runs, plans and secrets belong to an owner; runs written straight to the bus have none.
ALTER TABLE runs ADD COLUMN owner TEXT;
CREATE INDEX runs_owner ON runs (owner, created_at DESC);

ALTER TABLE plans ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
ALTER TABLE plans DROP CONSTRAINT plans_pkey;
ALTER TABLE plans ADD PRIMARY KEY (owner, key);

ALTER TABLE secrets ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
ALTER TABLE secrets DROP CONSTRAINT secrets_pkey;
ALTER TABLE secrets ADD PRIMARY KEY (owner, name);

-- An idempotency key is unique per owner.
ALTER TABLE runs DROP CONSTRAINT runs_idempotency_key_key;
CREATE UNIQUE INDEX runs_owner_idempotency_key ON runs (owner, idempotency_key);
