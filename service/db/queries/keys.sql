-- Partner API keys (table api_key, migration 0004). Only the SHA-256 of a key is stored.

-- name: create
-- $1 name, $2 prefix (the public part shown in listings), $3 sha256 of the whole key, $4 limit/min.
INSERT INTO api_key (name, prefix, key_hash, rate_limit_per_minute)
VALUES ($1, $2, $3, $4)
RETURNING id, name, prefix, rate_limit_per_minute, created_at, revoked_at, last_used_at

-- name: list
SELECT id, name, prefix, rate_limit_per_minute, created_at, revoked_at, last_used_at
FROM api_key
ORDER BY id

-- name: revoke
-- Revoking twice keeps the first revocation time.
UPDATE api_key
SET revoked_at = coalesce(revoked_at, now())
WHERE id = $1
RETURNING id, name, prefix, rate_limit_per_minute, created_at, revoked_at, last_used_at

-- name: by_hash
-- The live key with this hash (revoked keys do not authenticate).
SELECT id, name, prefix, rate_limit_per_minute, created_at, revoked_at, last_used_at
FROM api_key
WHERE key_hash = $1 AND revoked_at IS NULL

-- name: touch
-- $1 key ids seen since the last touch. Written at most once a minute per key by the service.
UPDATE api_key SET last_used_at = now() WHERE id = ANY($1::bigint[])
