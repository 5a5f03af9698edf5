-- Index short exposure: the summary table, its refresh (at ingest) and its series.

-- name: series
-- $1 index code, $2 from, $3 to. A leg is known on a date when its dollar figure covers at least
-- one security: for the single-stock leg, membership is known on that date and a member reports
-- short interest with a close; for the ETF leg, a tracking fund does (an index no fund tracks has
-- no ETF leg: nothing is missing). A date is complete when every leg the index has is known; only
-- complete dates take part in records, and a record must beat an earlier complete date (the first
-- is not one: nothing earlier to beat). Records are computed over the whole history, then the
-- range is cut. Dollar figures to cents (metric_usd, migration 0013).
SELECT settlement_date, constituents, constituents_reporting, constituents_priced,
       single_stock_short_interest, metric_usd(single_stock_short_value_usd)
           AS single_stock_short_value_usd,
       etfs_reporting, etfs_priced, etf_short_interest,
       metric_usd(etf_short_value_usd) AS etf_short_value_usd,
       metric_usd(total) AS total_short_value_usd,
       single_stock_leg_known, etf_leg_known, is_record
FROM (
    SELECT known.*,
           complete AND total > coalesce(max(total) FILTER (WHERE complete) OVER (
               ORDER BY settlement_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ), 'Infinity') AS is_record
    FROM (
        SELECT e.*,
               e.single_stock_short_value_usd + e.etf_short_value_usd AS total,
               e.constituents_priced > 0 AS single_stock_leg_known,
               e.etfs_priced > 0 AS etf_leg_known,
               e.constituents_priced > 0 AND (e.etfs = 0 OR e.etfs_priced > 0) AS complete
        FROM index_short_exposure e
        WHERE e.index_code = $1
    ) known
) history
WHERE settlement_date BETWEEN $2 AND $3
ORDER BY settlement_date

-- name: clear
-- $1 index codes (NULL: all), $2 settlement dates (NULL: all).
DELETE FROM index_short_exposure
WHERE ($1::text[] IS NULL OR index_code = ANY($1::text[]))
  AND ($2::date[] IS NULL OR settlement_date = ANY($2::date[]))

-- name: refresh
-- $1 index codes (NULL: all), $2 settlement dates (NULL: every date with short interest).
-- Runs after short_interest_context is refreshed (it holds the close of each position).
-- Single-stock leg: the index's members on each date; ETF leg: the funds tracking the index.
-- Each leg counts the securities reporting short interest and those with a price, so a partial
-- dollar figure says so instead of looking like a small one.
WITH targets AS (
    SELECT i.code, d.settlement_date
    FROM market_index i
    CROSS JOIN (
        SELECT DISTINCT settlement_date
        FROM short_interest
        WHERE $2::date[] IS NULL OR settlement_date = ANY($2::date[])
    ) d
    WHERE $1::text[] IS NULL OR i.code = ANY($1::text[])
),
legs AS (
    SELECT t.code, t.settlement_date, m.security_id, 'stock' AS leg
    FROM targets t
    CROSS JOIN LATERAL index_members(t.code, t.settlement_date) m  -- one source (migration 0014)
    UNION ALL
    SELECT t.code, t.settlement_date, e.etf_id, 'etf'
    FROM targets t
    JOIN etf_index e ON e.index_code = t.code
),
valued AS (
    SELECT l.code, l.settlement_date, l.leg, v.short_interest,
           CASE WHEN v.short_interest IS NOT NULL THEN ctx.close END AS close
    FROM legs l
    LEFT JOIN LATERAL (
        SELECT si.short_interest
        FROM short_interest si
        WHERE si.security_id = l.security_id AND si.settlement_date = l.settlement_date
        ORDER BY si.known_from DESC
        LIMIT 1
    ) v ON true
    LEFT JOIN short_interest_context ctx
           ON ctx.security_id = l.security_id AND ctx.settlement_date = l.settlement_date
)
INSERT INTO index_short_exposure (
    index_code, settlement_date, constituents, constituents_reporting, constituents_priced,
    single_stock_short_interest, single_stock_short_value_usd, etfs, etfs_reporting,
    etfs_priced, etf_short_interest, etf_short_value_usd
)
SELECT code, settlement_date,
       count(*) FILTER (WHERE leg = 'stock'),
       count(short_interest) FILTER (WHERE leg = 'stock'),
       count(close) FILTER (WHERE leg = 'stock'),
       coalesce(sum(short_interest) FILTER (WHERE leg = 'stock'), 0),
       coalesce(sum(short_interest * close) FILTER (WHERE leg = 'stock'), 0),
       count(*) FILTER (WHERE leg = 'etf'),
       count(short_interest) FILTER (WHERE leg = 'etf'),
       count(close) FILTER (WHERE leg = 'etf'),
       coalesce(sum(short_interest) FILTER (WHERE leg = 'etf'), 0),
       coalesce(sum(short_interest * close) FILTER (WHERE leg = 'etf'), 0)
FROM valued
GROUP BY code, settlement_date

-- name: settlement_dates_priced_by
-- $1 first and $2 last day of new prices: the settlement dates whose price window they touch.
SELECT DISTINCT si.settlement_date
FROM short_interest si
JOIN calendar_day c ON c.date = si.settlement_date
WHERE si.settlement_date >= $1 AND c.price_window_start <= $2
