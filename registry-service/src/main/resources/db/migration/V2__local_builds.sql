-- Images built on an executor host and not pushed; --build runs the newest, by image id.
CREATE TABLE local_build (
    namespace TEXT        NOT NULL,
    name      TEXT        NOT NULL,
    version   INT         NOT NULL,
    tag       TEXT        NOT NULL,
    image_id  TEXT        NOT NULL,
    built_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, name, version, tag),
    FOREIGN KEY (namespace, name, version) REFERENCES processor_spec (namespace, name, version) ON DELETE CASCADE
);
