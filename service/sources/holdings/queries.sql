-- A holdings snapshot from staging: one 'fund' row (the fund, its shares outstanding, as-of date
-- in ref_date) and 'position' rows (quantity, market_value, weight, price).

-- name: upsert_snapshot
-- $1 run id, $2 index code.
INSERT INTO holdings_snapshot AS h (fund_id, as_of, index_code, shares_outstanding, ingest_run_id)
SELECT security_id, ref_date, $2, shares_outstanding, $1
FROM staging
WHERE row_kind = 'fund'
ON CONFLICT (fund_id, as_of) DO UPDATE
SET index_code = excluded.index_code,
    shares_outstanding = excluded.shares_outstanding,
    ingest_run_id = excluded.ingest_run_id

-- name: clear_positions
-- A snapshot replaces the positions of the same fund and date.
DELETE FROM holdings_position p
USING staging fund
WHERE fund.row_kind = 'fund' AND p.fund_id = fund.security_id AND p.as_of = fund.ref_date

-- name: insert_positions
WITH fund AS (
    SELECT security_id, ref_date FROM staging WHERE row_kind = 'fund'
)
INSERT INTO holdings_position (fund_id, as_of, security_id, quantity, market_value, weight, price)
SELECT fund.security_id, fund.ref_date, p.security_id, p.quantity, p.market_value, p.weight,
       p.price
FROM staging p
CROSS JOIN fund
WHERE p.row_kind = 'position'

-- name: link_fund
INSERT INTO etf_index (etf_id, index_code, ingest_run_id)
SELECT security_id, $2, $1 FROM staging WHERE row_kind = 'fund'
ON CONFLICT (index_code, etf_id) DO NOTHING

-- name: fund_share_count
INSERT INTO share_count AS c (security_id, as_of, shares_outstanding, ingest_run_id)
SELECT security_id, ref_date, shares_outstanding, $1
FROM staging
WHERE row_kind = 'fund' AND shares_outstanding IS NOT NULL
ON CONFLICT (security_id, as_of) DO UPDATE
SET shares_outstanding = excluded.shares_outstanding, ingest_run_id = excluded.ingest_run_id
WHERE c.shares_outstanding IS DISTINCT FROM excluded.shares_outstanding

-- name: staged_range
SELECT min(ref_date) AS first, max(ref_date) AS last FROM staging WHERE row_kind = 'position'

-- name: position_prices
-- The snapshot's prices as closes of the as-of date, where no daily bar exists for that day.
INSERT INTO price_daily (security_id, date, close, ingest_run_id)
SELECT security_id, ref_date, price, $1
FROM staging
WHERE row_kind = 'position' AND price > 0
ON CONFLICT (security_id, date) DO NOTHING

-- name: clear_holdings_membership
DELETE FROM index_membership WHERE index_code = $1 AND source = 'holdings'

-- name: rebuild_holdings_membership
-- $1 index code, $2 run id. Each snapshot date of the index (over all funds ingested for it)
-- holds until the next one; a security's consecutive snapshots merge into one interval
-- (gaps and islands). The weight is the one of the interval's latest snapshot.
WITH snapshots AS (
    SELECT DISTINCT as_of FROM holdings_snapshot WHERE index_code = $1
),
periods AS (
    SELECT as_of, coalesce(lead(as_of) OVER (ORDER BY as_of), 'infinity'::date) AS until
    FROM snapshots
),
held AS (
    SELECT DISTINCT ON (p.security_id, pr.as_of) p.security_id, pr.as_of, pr.until, p.weight
    FROM periods pr
    JOIN holdings_snapshot h ON h.index_code = $1 AND h.as_of = pr.as_of
    JOIN holdings_position p ON p.fund_id = h.fund_id AND p.as_of = h.as_of
    ORDER BY p.security_id, pr.as_of, p.weight DESC NULLS LAST
),
breaks AS (
    SELECT *, CASE WHEN lag(until) OVER w = as_of THEN 0 ELSE 1 END AS starts
    FROM held
    WINDOW w AS (PARTITION BY security_id ORDER BY as_of)
),
islands AS (
    SELECT *, sum(starts) OVER (PARTITION BY security_id ORDER BY as_of) AS island
    FROM breaks
)
INSERT INTO index_membership (index_code, security_id, valid_from, valid_to, weight, source,
                              ingest_run_id)
SELECT $1, security_id, min(as_of), max(until), (array_agg(weight ORDER BY as_of DESC))[1],
       'holdings', $2
FROM islands
GROUP BY security_id, island
