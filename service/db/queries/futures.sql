-- CFTC futures positioning of an index (table futures_position, migration 0020).

-- name: positioning
-- $1 index code, $2 from, $3 to (report dates), $4 as of, $5 the price symbol of the index's
-- level (SHORTFLOW_INDEX_LEVEL_SYMBOLS; NULL: none). Only reports released on or before
-- $4 exist here (point in time). The index level is the close of the level symbol on the report
-- date, no other day: without it the dollar figures are null, never taken from another day.
-- Records per contract, over the history known on $4, then the range is cut: a week's
-- leveraged-funds short beats every earlier week of that contract (the first week is not one).
WITH known AS (
    SELECT f.*, p.close AS index_level,
           metric_usd(f.leveraged_funds_short * f.multiplier * p.close)
               AS leveraged_funds_short_usd
    FROM futures_position f
    LEFT JOIN price_daily p
           ON p.security_id = (SELECT s.id FROM security s WHERE s.symbol = $5::text)
          AND p.date = f.report_date
    WHERE f.index_code = $1 AND f.release_date <= $4
),
history AS (
    SELECT k.*,
           k.leveraged_funds_short > coalesce(max(k.leveraged_funds_short) OVER (
               PARTITION BY k.contract_code ORDER BY k.report_date
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ), k.leveraged_funds_short) AS leveraged_funds_short_is_record,
           coalesce(k.leveraged_funds_short_usd > max(k.leveraged_funds_short_usd) OVER (
               PARTITION BY k.contract_code ORDER BY k.report_date
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ), false) AS leveraged_funds_short_usd_is_record
    FROM known k
)
SELECT report_date, release_date, contract_code, contract_name, contract_units,
       multiplier::double precision AS multiplier,
       emini_equivalent::double precision AS emini_equivalent, open_interest,
       dealers_long, dealers_short, dealers_spread,
       asset_managers_long, asset_managers_short, asset_managers_spread,
       leveraged_funds_long, leveraged_funds_short, leveraged_funds_spread,
       other_reportables_long, other_reportables_short, other_reportables_spread,
       index_level, leveraged_funds_short_usd,
       leveraged_funds_short_is_record, leveraged_funds_short_usd_is_record
FROM history
WHERE report_date BETWEEN $2 AND $3
ORDER BY report_date, contract_code
