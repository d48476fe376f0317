-- When the registry last heard from each executor about a deployment (docs/deploy.md "Health").
-- Executors re-report every deployment they hold; a repeat of an executor's newest event only
-- moves reported_at here (no new deployment_event row). A placement silent for longer than
-- hangar.registry.deploy.stale-after is unhealthy and its warm containers are not counted.
CREATE TABLE deployment_report (
    env         text        NOT NULL,
    name        text        NOT NULL,
    executor_id text        NOT NULL,
    reported_at timestamptz NOT NULL,
    PRIMARY KEY (env, name, executor_id),
    FOREIGN KEY (env, name) REFERENCES deployment (env, name) ON DELETE CASCADE
);
-- placements reported before this table existed count from their newest event
INSERT INTO deployment_report (env, name, executor_id, reported_at)
    SELECT env, name, executor_id, max(at) FROM deployment_event GROUP BY env, name, executor_id;
