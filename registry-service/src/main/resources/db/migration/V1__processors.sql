-- One row per processor version; the spec body is kept as JSON without its digests,
-- which live in digest_pin so a push can add one platform at a time.
CREATE TABLE processor_spec (
    namespace  text        NOT NULL,
    name       text        NOT NULL,
    version    integer     NOT NULL CHECK (version > 0),
    spec       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, name, version)
);

CREATE TABLE digest_pin (
    namespace  text        NOT NULL,
    name       text        NOT NULL,
    version    integer     NOT NULL,
    platform   text        NOT NULL CHECK (platform IN ('amd64', 'arm64')),
    digest     text        NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
    pinned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, name, version, platform),
    FOREIGN KEY (namespace, name, version) REFERENCES processor_spec ON DELETE CASCADE
);
