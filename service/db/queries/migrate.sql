-- The migration runner's own statements (service/db/migrate.py): its lock, its ledger and the
-- trading calendar it refreshes after the migration files.

-- name: lock
SELECT pg_advisory_lock($1)

-- name: unlock
SELECT pg_advisory_unlock($1)

-- name: create_ledger
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    duration_ms integer NOT NULL
)

-- name: applied
SELECT version, name, checksum FROM schema_migrations

-- name: record
INSERT INTO schema_migrations (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)

-- name: sync_calendar
-- Rewrites only days whose facts changed, so a second run writes nothing.
INSERT INTO calendar_day AS c (date, trading, price_window_start)
SELECT * FROM unnest($1::date[], $2::boolean[], $3::date[])
ON CONFLICT (date) DO UPDATE
SET trading = excluded.trading, price_window_start = excluded.price_window_start
WHERE (c.trading, c.price_window_start)
      IS DISTINCT FROM (excluded.trading, excluded.price_window_start)
