-- Daily series of a security: Reg SHO short volume and prices.

-- name: short_volume
-- $1 security id, $2 facility, $3 from, $4 to. Filtering on month as well lets the primary key
-- (security_id, facility, month) pick the month rows.
-- Columns in the field order of service.models.ShortVolumeDay; volumes in whole shares (FINRA's
-- fractional volumes rounded half to even), the ratio from the exact values.
SELECT date, facility,
       round(short_volume::numeric)::bigint AS short_volume,
       round(short_exempt_volume::numeric)::bigint AS short_exempt_volume,
       round(total_volume::numeric)::bigint AS total_volume,
       metric_short_volume_ratio(short_volume, total_volume) AS short_volume_ratio,
       market
FROM short_volume
WHERE security_id = $1
  AND facility = $2
  AND month BETWEEN date_trunc('month', $3::date)::date AND $4
  AND date BETWEEN $3 AND $4
ORDER BY date

-- name: prices
SELECT {PriceBar}
FROM price_daily
WHERE security_id = $1 AND date BETWEEN $2 AND $3
ORDER BY date

-- name: closes_missing
-- $1 first, $2 last day of a sync window, $3 its last closed session, $4 true: every security of
-- the window whatever is stored (`--full-history`). The securities with short interest on a
-- settlement date of the window whose closes the metrics need and price_daily lacks, with the
-- span of days to ask for: per settlement date a close within its price window (the close
-- short_interest_context values the position with, migration 0009), and for the window's newest
-- settlement date also one within the price window of $3 (the squeeze screen's latest close).
-- `directory_symbol`: the symbol directory's spelling of the security's latest listing (`BRK.B`
-- for FINRA's `BRKB`), which price providers spell from; null when no snapshot listed it.
WITH positions AS (
    SELECT DISTINCT security_id, settlement_date FROM short_interest
    WHERE settlement_date BETWEEN $1 AND $2
),
needed AS (
    SELECT security_id, settlement_date AS day FROM positions
    UNION
    SELECT security_id, $3::date FROM positions
    WHERE settlement_date = (SELECT max(settlement_date) FROM positions)
      AND settlement_date <= $3::date
),
missing AS (
    SELECT n.security_id, c.price_window_start AS first, n.day AS last
    FROM needed n
    JOIN calendar_day c ON c.date = n.day
    WHERE $4::boolean OR NOT EXISTS (
        SELECT 1 FROM price_daily p
        WHERE p.security_id = n.security_id AND p.date BETWEEN c.price_window_start AND n.day
    )
)
SELECT s.symbol, s.market_class, min(m.first) AS first, max(m.last) AS last,
       (SELECT l.directory_symbol FROM security_listing l
        WHERE l.security_id = s.id
        ORDER BY l.last_seen DESC, l.source, l.exchange
        LIMIT 1) AS directory_symbol
FROM missing m
JOIN security s ON s.id = m.security_id
GROUP BY s.id, s.symbol, s.market_class
ORDER BY s.symbol
