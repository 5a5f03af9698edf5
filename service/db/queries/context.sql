-- short_interest_context: refreshed at ingest for what the ingest can have changed.

-- name: refresh_from_staging
-- For each security of the staging table, every settlement date from the first date the file
-- brings for it: new short interest needs its context, new prices can value dates up to ~9 days
-- later, new share counts hold for every later date. Unchanged rows are not rewritten.
WITH scope AS (
    SELECT security_id, min(ref_date) AS first_date
    FROM staging
    WHERE security_id IS NOT NULL AND ref_date IS NOT NULL
    GROUP BY security_id
),
keys AS (
    SELECT DISTINCT si.security_id, si.settlement_date
    FROM scope s
    JOIN short_interest si
      ON si.security_id = s.security_id AND si.settlement_date >= s.first_date
)
INSERT INTO short_interest_context AS t
SELECT k.security_id, k.settlement_date,
       fl.float_shares, fl.as_of, so.shares_outstanding, so.as_of, px.close, px.date
FROM keys k
LEFT JOIN LATERAL (
    SELECT sc.float_shares, sc.as_of FROM share_count sc
    WHERE sc.security_id = k.security_id AND sc.as_of <= k.settlement_date
      AND sc.float_shares IS NOT NULL
    ORDER BY sc.as_of DESC LIMIT 1
) fl ON true
LEFT JOIN LATERAL (
    SELECT sc.shares_outstanding, sc.as_of FROM share_count sc
    WHERE sc.security_id = k.security_id AND sc.as_of <= k.settlement_date
      AND sc.shares_outstanding IS NOT NULL
    ORDER BY sc.as_of DESC LIMIT 1
) so ON true
LEFT JOIN LATERAL (
    SELECT pd.close, pd.date FROM price_daily pd
    WHERE pd.security_id = k.security_id AND pd.date <= k.settlement_date
      AND pd.date >= (SELECT c.price_window_start FROM calendar_day c
                      WHERE c.date = k.settlement_date)
    ORDER BY pd.date DESC LIMIT 1
) px ON true
ON CONFLICT (security_id, settlement_date) DO UPDATE
SET float_shares = excluded.float_shares,
    float_as_of = excluded.float_as_of,
    shares_outstanding = excluded.shares_outstanding,
    shares_outstanding_as_of = excluded.shares_outstanding_as_of,
    close = excluded.close,
    close_date = excluded.close_date
WHERE (t.float_shares, t.float_as_of, t.shares_outstanding, t.shares_outstanding_as_of,
       t.close, t.close_date)
      IS DISTINCT FROM
      (excluded.float_shares, excluded.float_as_of, excluded.shares_outstanding,
       excluded.shares_outstanding_as_of, excluded.close, excluded.close_date)
