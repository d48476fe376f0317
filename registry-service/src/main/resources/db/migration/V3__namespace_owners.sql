-- Who may change a namespace: the owner that created it (granted_by NULL) and owners an admin granted.
CREATE TABLE namespace_owner (
    namespace  text        NOT NULL,
    owner      text        NOT NULL CHECK (owner ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    granted_by text,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, owner)
);
-- Namespaces registered before owners existed belong to the local stack's owner.
INSERT INTO namespace_owner (namespace, owner)
    SELECT DISTINCT namespace, 'local' FROM processor_spec ON CONFLICT DO NOTHING;

-- Every time a namespace owner replaced the digest of a pinned version on purpose.
CREATE TABLE pin_override (
    id              bigserial   PRIMARY KEY,
    namespace       text        NOT NULL,
    name            text        NOT NULL,
    version         integer     NOT NULL,
    platform        text        NOT NULL,
    previous_digest text        NOT NULL,
    digest          text        NOT NULL,
    owner           text        NOT NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pin_override_ref ON pin_override (namespace, name, version);
