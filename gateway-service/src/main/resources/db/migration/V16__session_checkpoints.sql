-- A training session's save_weights / save_weights_for_sampler calls register checkpoints
-- (docs/training-sessions.md), hangar://<session>/<weights|sampler_weights>/<name>, in the same
-- checkpoints table as training runs. One row per save call once its checkpoints were read from
-- its envelope: inserting it is the claim (one replica per call; a failed registration rolls it
-- back and a later pass tries again).
CREATE TABLE session_checkpoint_calls (
    execution_id   TEXT PRIMARY KEY,
    session_id     TEXT        NOT NULL,
    registered_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX runs_session_saves ON runs (execution_id) WHERE session_op IN ('save_weights', 'save_weights_for_sampler');
