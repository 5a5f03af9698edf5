-- Fund flows by period.

-- name: periods
-- $1 fund ids (NULL: every fund), $2 period kind ('day', 'week' or 'month').
-- Every period of the funds, with its record flags. Records compare a period with all earlier
-- periods of the same fund and kind, so they are computed over the whole history and the caller
-- keeps the range it wants. Weeks run Monday to Friday and months are calendar months; a period is
-- labelled by its first and last NYSE trading days. Days without a flow are missing, not zero:
-- days_reported says how many days the sum covers, trading_days how many it could cover.
WITH daily AS (
    SELECT f.fund_id, f.date, f.flow_usd, f.shares_outstanding, f.nav,
           CASE $2
               WHEN 'day' THEN f.date
               WHEN 'week' THEN date_trunc('week', f.date)::date
               ELSE date_trunc('month', f.date)::date
           END AS bucket
    FROM fund_flow f
    WHERE ($1::bigint[] IS NULL OR f.fund_id = ANY($1::bigint[]))
      AND f.flow_usd IS NOT NULL
),
periods AS (
    SELECT fund_id, bucket,
           CASE $2
               WHEN 'day' THEN bucket
               WHEN 'week' THEN bucket + 4
               ELSE (bucket + interval '1 month' - interval '1 day')::date
           END AS bucket_end,
           sum(flow_usd) AS flow_usd,
           count(*) AS days_reported,
           (array_agg(shares_outstanding ORDER BY date DESC)
                FILTER (WHERE shares_outstanding IS NOT NULL))[1] AS shares_outstanding,
           (array_agg(nav ORDER BY date DESC) FILTER (WHERE nav IS NOT NULL))[1] AS nav
    FROM daily
    GROUP BY fund_id, bucket
),
labelled AS (
    SELECT p.*, cal.first_day, cal.last_day, cal.trading_days
    FROM periods p
    CROSS JOIN LATERAL (
        SELECT min(c.date) AS first_day, max(c.date) AS last_day, count(*) AS trading_days
        FROM calendar_day c
        WHERE c.trading AND c.date BETWEEN p.bucket AND p.bucket_end
    ) cal
)
SELECT s.symbol,
       coalesce(l.first_day, l.bucket) AS period_start,
       coalesce(l.last_day, l.bucket_end) AS period_end,
       l.flow_usd, l.shares_outstanding, l.nav, l.days_reported::int, l.trading_days::int,
       l.flow_usd > 0
           AND l.flow_usd > coalesce(max(l.flow_usd) OVER prior, '-Infinity') AS is_record_inflow,
       l.flow_usd < 0
           AND l.flow_usd < coalesce(min(l.flow_usd) OVER prior, 'Infinity') AS is_record_outflow
FROM labelled l
JOIN security s ON s.id = l.fund_id
WINDOW prior AS (PARTITION BY l.fund_id ORDER BY l.bucket
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
ORDER BY s.symbol, l.bucket

-- name: latest_flow_date
SELECT max(date) FROM fund_flow WHERE flow_usd IS NOT NULL
