-- Daily prices from staging (open, high, low, close, volume; ref_date is the day).

-- name: staged_range
SELECT min(ref_date) AS first, max(ref_date) AS last FROM staging

-- name: upsert_prices
-- $1 run id. A later file for the same day replaces the bar; an identical bar is not rewritten.
INSERT INTO price_daily AS p (security_id, date, open, high, low, close, volume, ingest_run_id)
SELECT security_id, ref_date, open, high, low, close, volume, $1
FROM staging
ON CONFLICT (security_id, date) DO UPDATE
SET open = excluded.open,
    high = excluded.high,
    low = excluded.low,
    close = excluded.close,
    volume = excluded.volume,
    ingest_run_id = excluded.ingest_run_id
WHERE (p.open, p.high, p.low, p.close, p.volume)
      IS DISTINCT FROM (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)
