-- Securities reference data from staging (shares_outstanding, float_shares, tracks_index,
-- previous_symbol; ref_date is as_of).

-- name: create_former_symbols
-- A file may list a company under its former symbol and, in another row, its change of symbol:
-- create the former symbol first, so the change can attach to it.
INSERT INTO security (symbol, name, market_class, type, type_source, info_as_of)
SELECT DISTINCT ON (st.symbol)
       st.symbol, st.name, st.market_class, coalesce(st.sec_type, 'stock'),
       coalesce(st.type_source, 'guess'), st.ref_date
FROM staging st
WHERE st.previous_symbol IS NULL
  AND st.symbol IN (SELECT previous_symbol FROM staging WHERE previous_symbol IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM security_symbol ss WHERE ss.symbol = st.symbol)
ORDER BY st.symbol, st.ref_date
ON CONFLICT (symbol) DO NOTHING

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
