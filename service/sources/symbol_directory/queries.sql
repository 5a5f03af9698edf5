-- Nasdaq Trader symbol directory rows from staging (source, exchange, etf, directory_symbol;
-- ref_date is the snapshot's date).

-- name: upsert_listings
-- $1 run id. A listing seen again widens its interval either way, so snapshots may be ingested in
-- any order (a 2016 file after a 2025 one moves first_seen back, not last_seen).
INSERT INTO security_listing AS l (security_id, source, exchange, etf, directory_symbol,
                                   first_seen, last_seen, ingest_run_id)
SELECT security_id, source, exchange, etf, directory_symbol, ref_date, ref_date, $1
FROM staging
WHERE security_id IS NOT NULL
ON CONFLICT (security_id, source, exchange, etf) DO UPDATE
SET first_seen = least(l.first_seen, excluded.first_seen),
    last_seen = greatest(l.last_seen, excluded.last_seen),
    directory_symbol = CASE WHEN excluded.last_seen >= l.last_seen
                            THEN excluded.directory_symbol ELSE l.directory_symbol END,
    ingest_run_id = excluded.ingest_run_id
WHERE excluded.first_seen < l.first_seen OR excluded.last_seen > l.last_seen
