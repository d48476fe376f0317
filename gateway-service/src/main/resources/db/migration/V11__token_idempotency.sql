-- POST /v1/tokens honours an Idempotency-Key: a retried create finds the token its first attempt
-- made (one per owner and key) instead of minting a second one.
ALTER TABLE api_tokens ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX api_tokens_idempotency ON api_tokens (owner, idempotency_key);
