-- Securities reference data from staging (shares_outstanding, float_shares, tracks_index,
-- previous_symbol; ref_date is as_of).

-- name: apply_renames
-- Symbol changes in date order (see rename_security in migration 0006).
SELECT count(rename_security(previous_symbol, symbol, ref_date))
FROM (SELECT previous_symbol, symbol, ref_date
      FROM staging
      WHERE previous_symbol IS NOT NULL
      ORDER BY ref_date, line) renames

-- name: upsert_share_counts
-- $1 run id. A missing count leaves what another source gave for the same day.
INSERT INTO share_count AS c (security_id, as_of, shares_outstanding, float_shares, ingest_run_id)
SELECT security_id, ref_date, shares_outstanding, float_shares, $1
FROM staging
WHERE ref_date IS NOT NULL AND (shares_outstanding IS NOT NULL OR float_shares IS NOT NULL)
ON CONFLICT (security_id, as_of) DO UPDATE
SET shares_outstanding = coalesce(excluded.shares_outstanding, c.shares_outstanding),
    float_shares = coalesce(excluded.float_shares, c.float_shares),
    ingest_run_id = excluded.ingest_run_id
WHERE (excluded.shares_outstanding IS NOT NULL
       AND excluded.shares_outstanding IS DISTINCT FROM c.shares_outstanding)
   OR (excluded.float_shares IS NOT NULL AND excluded.float_shares IS DISTINCT FROM c.float_shares)

-- name: staged_tracked_indexes
SELECT DISTINCT tracks_index FROM staging WHERE tracks_index IS NOT NULL ORDER BY 1

-- name: link_tracking_funds
INSERT INTO etf_index (etf_id, index_code, ingest_run_id)
SELECT DISTINCT security_id, tracks_index, $1::bigint
FROM staging
WHERE tracks_index IS NOT NULL
ON CONFLICT (index_code, etf_id) DO NOTHING
