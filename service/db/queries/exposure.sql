-- Index short exposure: the summary table, its refresh (at ingest) and its series.

-- name: series
-- $1 index code, $2 from, $3 to, $4 the price symbol of the index's level
-- (SHORTFLOW_INDEX_LEVEL_SYMBOLS; NULL: none). A leg is known on a date when its dollar figure covers at least
-- one security: for the single-stock leg, membership is known on that date and a member reports
-- short interest with a close; for the ETF leg, a tracking fund does (an index no fund tracks has
-- no ETF leg: nothing is missing). A date is complete when every leg the index has is known; only
-- complete dates take part in records, and a record must beat an earlier complete date (the first
-- is not one: nothing earlier to beat). Records are computed over the whole history, then the
-- range is cut. Dollar figures to cents (metric_usd, migration 0013).
-- The futures leg (CFTC, futures.sql): the newest report released on or before the settlement
-- date and less than three weeks before it (an older one is a gap in the data, not the current
-- positioning), summed over the index's contracts (counts in E-mini contracts, dollars as
-- contracts x multiplier x the index's close on the report date). It is known when such a report
-- and that close exist; each leg's record counts only the dates where that leg is known.
-- The index's own columns (service.models.MarketIndex) come first in each row, for
-- `index(code) { shortExposure }` in one round trip (service/graphql/lookahead.py): an index
-- without dates in the range is one row with null series columns, an unknown code no row.
WITH legs AS (
    SELECT e.*,
           e.single_stock_short_value_usd + e.etf_short_value_usd AS total,
           e.constituents_priced > 0 AS single_stock_leg_known,
           e.etfs_priced > 0 AS etf_leg_known,
           e.constituents_priced > 0 AND (e.etfs = 0 OR e.etfs_priced > 0) AS complete,
           fut.*, p.close AS futures_index_level
    FROM index_short_exposure e
    LEFT JOIN LATERAL (
        -- per group: short and net in E-mini contracts, and in index points (x multiplier)
        SELECT f.report_date AS futures_report_date,
               sum(f.leveraged_funds_short * f.emini_equivalent) AS lf_short,
               sum((f.leveraged_funds_long - f.leveraged_funds_short) * f.emini_equivalent)
                   AS lf_net,
               sum(f.asset_managers_short * f.emini_equivalent) AS am_short,
               sum((f.asset_managers_long - f.asset_managers_short) * f.emini_equivalent)
                   AS am_net,
               sum(f.dealers_short * f.emini_equivalent) AS dl_short,
               sum((f.dealers_long - f.dealers_short) * f.emini_equivalent) AS dl_net,
               sum(f.leveraged_funds_short * f.multiplier) AS lf_short_points,
               sum((f.leveraged_funds_long - f.leveraged_funds_short) * f.multiplier)
                   AS lf_net_points,
               sum(f.asset_managers_short * f.multiplier) AS am_short_points,
               sum((f.asset_managers_long - f.asset_managers_short) * f.multiplier)
                   AS am_net_points,
               sum(f.dealers_short * f.multiplier) AS dl_short_points,
               sum((f.dealers_long - f.dealers_short) * f.multiplier) AS dl_net_points
        FROM futures_position f
        WHERE f.index_code = e.index_code AND f.report_date = (
            SELECT max(g.report_date)
            FROM futures_position g
            WHERE g.index_code = e.index_code AND g.release_date <= e.settlement_date
              -- a report precedes its release: the bound keeps the scan to three weeks
              AND g.report_date BETWEEN e.settlement_date - 20 AND e.settlement_date
        )
        GROUP BY f.report_date
    ) fut ON true
    LEFT JOIN price_daily p
           ON p.security_id = (SELECT s.id FROM security s WHERE s.symbol = $4::text)
          AND p.date = fut.futures_report_date
    WHERE e.index_code = $1
),
known AS (
    SELECT l.*,
           l.lf_short_points * l.futures_index_level AS lf_short_usd,
           l.lf_net_points * l.futures_index_level AS lf_net_usd,
           l.am_short_points * l.futures_index_level AS am_short_usd,
           l.am_net_points * l.futures_index_level AS am_net_usd,
           l.dl_short_points * l.futures_index_level AS dl_short_usd,
           l.dl_net_points * l.futures_index_level AS dl_net_usd,
           l.futures_index_level IS NOT NULL AS futures_leg_known,
           l.total + l.lf_short_points * l.futures_index_level AS total_with_futures
    FROM legs l
),
history AS (
    SELECT k.*,
           k.complete AND k.total > coalesce(max(k.total) FILTER (WHERE k.complete) OVER w,
                                             'Infinity') AS is_record,
           k.single_stock_leg_known AND k.single_stock_short_value_usd > coalesce(
               max(k.single_stock_short_value_usd) FILTER (WHERE k.single_stock_leg_known) OVER w,
               'Infinity') AS single_stock_is_record,
           k.etf_leg_known AND k.etf_short_value_usd > coalesce(
               max(k.etf_short_value_usd) FILTER (WHERE k.etf_leg_known) OVER w,
               'Infinity') AS etf_is_record,
           k.futures_leg_known AND k.lf_short_usd > coalesce(
               max(k.lf_short_usd) FILTER (WHERE k.futures_leg_known) OVER w,
               'Infinity') AS futures_is_record,
           k.complete AND k.futures_leg_known AND k.total_with_futures > coalesce(
               max(k.total_with_futures) FILTER (WHERE k.complete AND k.futures_leg_known)
                   OVER w,
               'Infinity') AS total_with_futures_is_record
    FROM known k
    WINDOW w AS (ORDER BY k.settlement_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
SELECT {i.MarketIndex}, {h.IndexShortExposure}
FROM market_index i
LEFT JOIN LATERAL (
SELECT settlement_date, single_stock_short_interest,
       metric_usd(single_stock_short_value_usd) AS single_stock_short_value_usd,
       etf_short_interest, metric_usd(etf_short_value_usd) AS etf_short_value_usd,
       metric_usd(total) AS total_short_value_usd,
       constituents, constituents_reporting, constituents_priced, etfs_reporting, etfs_priced,
       single_stock_leg_known, etf_leg_known, is_record,
       futures_report_date, futures_index_level,
       lf_short::double precision AS futures_leveraged_funds_short_contracts,
       metric_usd(lf_short_usd) AS futures_leveraged_funds_short_usd,
       lf_net::double precision AS futures_leveraged_funds_net_contracts,
       metric_usd(lf_net_usd) AS futures_leveraged_funds_net_usd,
       am_short::double precision AS futures_asset_managers_short_contracts,
       metric_usd(am_short_usd) AS futures_asset_managers_short_usd,
       am_net::double precision AS futures_asset_managers_net_contracts,
       metric_usd(am_net_usd) AS futures_asset_managers_net_usd,
       dl_short::double precision AS futures_dealers_short_contracts,
       metric_usd(dl_short_usd) AS futures_dealers_short_usd,
       dl_net::double precision AS futures_dealers_net_contracts,
       metric_usd(dl_net_usd) AS futures_dealers_net_usd,
       futures_leg_known, metric_usd(total_with_futures) AS total_with_futures_short_value_usd,
       single_stock_is_record, etf_is_record, futures_is_record, total_with_futures_is_record
FROM history
WHERE settlement_date BETWEEN $2 AND $3
) h ON true
WHERE i.code = $1
ORDER BY h.settlement_date

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
