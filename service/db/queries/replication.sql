-- name: current_wal_lsn
-- The primary's WAL write position. Read right after an ingest's COMMIT, it is at or past the
-- end of that commit record, so a replica that has replayed this far has the ingest.
SELECT pg_current_wal_lsn()::text

-- name: replica_status
-- NULL replay position: a server that never was in recovery.
SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replay_lsn
