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
SELECT date, open, high, low, close, volume
FROM price_daily
WHERE security_id = $1 AND date BETWEEN $2 AND $3
ORDER BY date
