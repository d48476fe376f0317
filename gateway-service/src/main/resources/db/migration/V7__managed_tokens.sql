-- API tokens managed through /v1/tokens: an id to revoke by, a name, scopes, when last used.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT 'bootstrap';
ALTER TABLE api_tokens ADD COLUMN scopes TEXT[] NOT NULL DEFAULT ARRAY['read', 'run', 'admin'];
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMPTZ;
UPDATE api_tokens SET id = 'tok_' || substr(token_sha256, 1, 16) WHERE id IS NULL;
ALTER TABLE api_tokens ALTER COLUMN id SET NOT NULL;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_id_key UNIQUE (id);
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'run', 'admin']);
CREATE INDEX api_tokens_owner ON api_tokens (owner, created_at);

-- Every replica mirrors the table in memory; a change tells all of them at once (TokenStore listens).
CREATE FUNCTION api_tokens_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('hangar_api_tokens', COALESCE(NEW.token_sha256, OLD.token_sha256));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER api_tokens_changed AFTER INSERT OR DELETE OR UPDATE OF owner, scopes ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION api_tokens_notify();

-- Which owners uploaded each attachment (content id): only they may use or read it.
CREATE TABLE attachment_owners (
    cid         TEXT        NOT NULL,
    owner       TEXT        NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (cid, owner)
);
