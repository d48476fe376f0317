-- Training runs and their checkpoints (docs/checkpoints.md). A training run is a run of a base
-- model's trainer processor; its row says what it trains so `hangar runs` can show it, and
-- registered_at marks that its checkpoints were read from its envelope (once, by one replica).
CREATE TABLE training_runs (
    run_id         TEXT PRIMARY KEY,
    owner          TEXT        NOT NULL,
    base_model     TEXT        NOT NULL,
    lora           JSONB       NOT NULL,
    steps          INT         NOT NULL,
    registered_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX training_runs_owner ON training_runs (owner, created_at DESC);
CREATE INDEX training_runs_unregistered ON training_runs (created_at) WHERE registered_at IS NULL;

-- One row per checkpoint, addressed hangar://<run_id>/<kind>/<checkpoint_id>. files: the artefacts
-- it is made of ([{"name","path","size_bytes"}], name relative to the checkpoint); attachment: the
-- content-addressed copy of a sampler checkpoint's .hlora a sampling run takes; archive: the
-- download archive once built ({"path","sha256","size_bytes","filename"}).
CREATE TABLE checkpoints (
    run_id         TEXT        NOT NULL,
    kind           TEXT        NOT NULL CHECK (kind IN ('weights', 'sampler_weights')),
    checkpoint_id  TEXT        NOT NULL,
    owner          TEXT        NOT NULL,
    base_model     TEXT        NOT NULL,
    lora           JSONB       NOT NULL,
    size_bytes     BIGINT      NOT NULL,
    files          JSONB       NOT NULL,
    attachment     TEXT,
    public         BOOLEAN     NOT NULL DEFAULT false,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at     TIMESTAMPTZ,
    archive        JSONB,
    PRIMARY KEY (run_id, kind, checkpoint_id)
);
CREATE INDEX checkpoints_owner ON checkpoints (owner, created_at DESC, run_id, kind, checkpoint_id);
CREATE INDEX checkpoints_expiry ON checkpoints (expires_at) WHERE expires_at IS NOT NULL;
