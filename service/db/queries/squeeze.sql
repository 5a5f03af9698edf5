-- Inputs of the squeeze screen, as known on a date.

-- name: inputs
-- $1 known on, $2 settlement date (the newest published by $1), $3 index code (NULL: all),
-- $4 first day of the short-volume window, $5 first day of the trend's recent window (10 trading
-- days to $1), $6 first day of its prior window (the 60 trading days before $5). One row per
-- security reporting on $2, with the
-- screen's factor values computed by the metric functions (migration 0010): short % of float
-- (and of shares outstanding, which stands in when no float is known) and days to cover on $2, change from the previous settlement, consolidated (CNMS) short-volume
-- ratio over the window and its trend (the recent window's ratio minus the prior window's, in
-- percentage points; NULL unless 5 of the 10 recent and 30 of the 60 prior days have volume), and the price move from the close on $2 to the close on $1 (each the
-- last close at most 5 trading days back); the liquidity floors' average dollar volume (FINRA's
-- average daily volume x the close on $2) and market cap (shares outstanding x that close);
-- fails to deliver: the mean daily SEC fails balance over `fails_days` as % of shares outstanding.
WITH positions AS (
    SELECT DISTINCT ON (si.security_id)
           si.security_id, si.short_interest, si.previous_short_interest,
           si.average_daily_volume, si.days_to_cover
    FROM short_interest si
    WHERE si.settlement_date = $2 AND si.known_from <= $1
    ORDER BY si.security_id, si.known_from DESC
),
fails_days AS MATERIALIZED (
    -- The 20 trading days ending on the newest fails settlement date known on $1, if that is at
    -- most 60 days before $1 (older fails say nothing about now: the factor is then null).
    SELECT c.date
    FROM calendar_day c
    WHERE c.trading
      AND c.date <= (SELECT max(f.settlement_date) FROM fails_to_deliver f
                     WHERE f.known_from <= $1 AND f.settlement_date >= $1::date - 60)
    ORDER BY c.date DESC
    LIMIT 20
),
fails AS (
    -- Each security's fails over those days, summed once for the market (a day without a row
    -- had no fails); the mean divides by the number of days (none: no fails known, NULL).
    SELECT f.security_id, sum(f.quantity) AS quantity
    FROM fails_to_deliver f
    WHERE f.settlement_date BETWEEN (SELECT min(d.date) FROM fails_days d)
                                AND (SELECT max(d.date) FROM fails_days d)
      AND f.known_from <= $1
    GROUP BY f.security_id
)
SELECT s.id, s.symbol, s.name, s.type, s.market_class, s.type_source,
       security_listing_exchange(s.id) AS listing_exchange,
       p.short_interest, p.average_daily_volume,
       metric_float_base(s.type, ctx.float_shares, ctx.shares_outstanding) AS float_value,
       metric_percent_of(p.short_interest,
                         metric_float_base(s.type, ctx.float_shares, ctx.shares_outstanding))
           AS short_percent_of_float,
       ctx.shares_outstanding,
       metric_percent_of(p.short_interest, ctx.shares_outstanding)
           AS short_percent_of_shares_outstanding,
       metric_days_to_cover(p.days_to_cover, p.average_daily_volume) AS days_to_cover,
       metric_change_percent(p.short_interest, p.previous_short_interest)
           AS short_interest_change_percent,
       metric_short_volume_ratio(sv.short_volume, sv.total_volume) AS short_volume_ratio,
       CASE WHEN sv.recent_days >= 5 AND sv.prior_days >= 30 THEN
           round((metric_short_volume_ratio(sv.recent_short, sv.recent_total)
                  - metric_short_volume_ratio(sv.prior_short, sv.prior_total))::numeric, 4)::float8
       END AS short_volume_trend,
       metric_price_change_percent(ctx.close, latest.close) AS price_change_since_settlement,
       metric_percent(coalesce(ftd.quantity, 0)::float8
                      / nullif((SELECT count(*) FROM fails_days), 0)
                      / nullif(ctx.shares_outstanding, 0) * 100) AS fails_to_deliver,
       round((p.average_daily_volume * ctx.close)::numeric, 2)::float8 AS average_dollar_volume_usd,
       round((ctx.shares_outstanding * ctx.close)::numeric, 2)::float8 AS market_cap_usd
FROM positions p
JOIN security s ON s.id = p.security_id
LEFT JOIN short_interest_context ctx
       ON ctx.security_id = p.security_id AND ctx.settlement_date = $2
LEFT JOIN calendar_day ca ON ca.date = $1
LEFT JOIN LATERAL (
    SELECT pd.close FROM price_daily pd
    WHERE pd.security_id = s.id AND pd.date <= $1 AND pd.date >= ca.price_window_start
    ORDER BY pd.date DESC LIMIT 1
) latest ON true
LEFT JOIN LATERAL (
    SELECT sum(v.short_volume) FILTER (WHERE v.date >= $4) AS short_volume,
           sum(v.total_volume) FILTER (WHERE v.date >= $4) AS total_volume,
           sum(v.short_volume) FILTER (WHERE v.date >= $5) AS recent_short,
           sum(v.total_volume) FILTER (WHERE v.date >= $5) AS recent_total,
           count(*) FILTER (WHERE v.date >= $5 AND v.total_volume > 0) AS recent_days,
           sum(v.short_volume) FILTER (WHERE v.date < $5) AS prior_short,
           sum(v.total_volume) FILTER (WHERE v.date < $5) AS prior_total,
           count(*) FILTER (WHERE v.date < $5 AND v.total_volume > 0) AS prior_days
    FROM short_volume v
    WHERE v.security_id = s.id AND v.facility = 'CNMS'
      AND v.month BETWEEN date_trunc('month', $6::date)::date AND $1
      AND v.date BETWEEN $6 AND $1
) sv ON true
LEFT JOIN fails ftd ON ftd.security_id = s.id
WHERE $3::text IS NULL OR s.id IN (SELECT m.security_id FROM index_members($3, $1) m)
