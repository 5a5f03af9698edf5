-- The connection pool's own statement (service/db/pool.py).

-- name: ping
-- Postgres answers: the readiness probe (/readyz, service/health.py).
SELECT 1
