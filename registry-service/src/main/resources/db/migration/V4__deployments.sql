-- A processor version deployed to an environment, bound to one image digest (docs/deploy.md).
-- name is unique per environment: <ns>-<name>-v<ver>, or in dev <ns>-<name>-dev-<branch>-<user>.
CREATE TABLE deployment (
    env        text        NOT NULL CHECK (env IN ('dev', 'staging', 'prod')),
    name       text        NOT NULL,
    namespace  text        NOT NULL,
    proc_name  text        NOT NULL,
    version    integer     NOT NULL,
    image      text        NOT NULL,
    digest     text        NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
    min_warm   integer     NOT NULL CHECK (min_warm BETWEEN 0 AND 32),
    pool       text,
    owner      text        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('requested', 'deployed', 'verified', 'failed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (env, name),
    FOREIGN KEY (namespace, proc_name, version) REFERENCES processor_spec (namespace, name, version) ON DELETE CASCADE
);
CREATE INDEX deployment_ref ON deployment (namespace, proc_name, version, env);

-- What the executors reported (hangar.deploy.events), in order; the newest per executor is its placement.
CREATE TABLE deployment_event (
    id          bigserial   PRIMARY KEY,
    env         text        NOT NULL,
    name        text        NOT NULL,
    executor_id text        NOT NULL,
    type        text        NOT NULL CHECK (type IN ('deployed', 'verified', 'failed')),
    digest      text,
    warm        integer     NOT NULL DEFAULT 0,
    message     text,
    at          timestamptz NOT NULL,
    FOREIGN KEY (env, name) REFERENCES deployment (env, name) ON DELETE CASCADE
);
CREATE INDEX deployment_event_at ON deployment_event (env, name, at);
