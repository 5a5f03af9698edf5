-- State of `shortflow sync` (table sync_item, migration 0015).

-- name: try_lock
-- $1 source: a session-level advisory lock held while one process syncs the source; a second
-- sync of the same source gets false and skips it.
SELECT pg_try_advisory_lock(hashtextextended('shortflow.sync:' || $1, 0))

-- name: unlock
SELECT pg_advisory_unlock(hashtextextended('shortflow.sync:' || $1, 0))

-- name: ingested_keys
-- $1 source, $2 keys: which of these files are done: ingested already, or answered "no data"
-- (migration 0018), which asking again would only answer the same way.
SELECT item_key FROM sync_item
WHERE source = $1 AND status IN ('ingested', 'no_data') AND item_key = ANY ($2::text[])

-- name: record
-- $1 source, $2 key, $3 status, $4 url, $5 sha256, $6 ingest run, $7 error.
INSERT INTO sync_item AS s (source, item_key, status, url, sha256, ingest_run_id, error)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (source, item_key) DO UPDATE
SET status = excluded.status, url = excluded.url, sha256 = excluded.sha256,
    ingest_run_id = excluded.ingest_run_id, error = excluded.error,
    attempts = s.attempts + 1, checked_at = now()

-- name: last_ingested
-- Each source's newest ingested file (`shortflow sources`).
SELECT DISTINCT ON (source) source, item_key, checked_at
FROM sync_item
WHERE status = 'ingested'
ORDER BY source, item_key DESC
