-- The run index holds only the wire values of the contracts' enums (Adapter, Mode, RunStatus).
-- SchemaEnumsTest compares these lists with the enums, so a new enum value needs a migration.
-- Every value stored so far was checked against the same lists on the way in, so existing rows pass.
ALTER TABLE runs ADD CONSTRAINT runs_adapter_check CHECK (adapter IN ('local', 'remote'));
ALTER TABLE runs ADD CONSTRAINT runs_mode_check CHECK (mode IN ('mock', 'real'));
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN ('queued', 'running', 'success', 'error', 'canceled'));
