-- Secrets per deployment environment (docs/deploy.md): '' is the owner's own secrets (hangar secrets),
-- 'dev' / 'staging' / 'prod' those `hangar deploy sync-secrets` stores for runs in that environment.
ALTER TABLE secrets ADD COLUMN env TEXT NOT NULL DEFAULT '' CHECK (env IN ('', 'dev', 'staging', 'prod'));
ALTER TABLE secrets DROP CONSTRAINT secrets_pkey;
ALTER TABLE secrets ADD PRIMARY KEY (owner, env, name);

-- The environment a run runs in (RunRequest.env); NULL for a run of no deployment.
ALTER TABLE runs ADD COLUMN env TEXT CHECK (env IN ('dev', 'staging', 'prod'));
CREATE INDEX runs_env ON runs (owner, env, ref, created_at) WHERE env IS NOT NULL;
