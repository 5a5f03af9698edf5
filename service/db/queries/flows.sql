-- Fund flows by period.

-- name: periods
-- $1 fund ids (NULL: every fund), $2 period kind ('day', 'week' or 'month'), $3 only the period
-- starting on this date (its bucket: the day, the Monday, the 1st; NULL: every period), $4 today.
-- Every period of the funds, with its record flags. Records compare a period with all earlier
-- periods of the same fund and kind, so they are computed over the whole history before $3 (and
-- the caller's range) cuts it. Weeks run Monday to Friday and months are calendar months; a period
-- is labelled by its first and last NYSE trading days. Days without a flow are missing, not zero:
-- days_reported says how many days the sum covers, trading_days how many it could cover.
-- complete: the period is over, i.e. its last trading day is on or before both today and the
-- fund's newest flow date (a week read on its Tuesday, or past the end of the fund's data, is
-- not: its sum holds only the days so far).
-- A record must beat an earlier period: a fund's first period is never one.
-- source: 'reported' or 'derived' when every day of the period is, else 'mixed'.
WITH daily AS (
    SELECT f.fund_id, f.date, f.flow_usd, f.flow_source, f.shares_outstanding, f.nav,
           max(f.date) OVER (PARTITION BY f.fund_id) AS fund_latest,
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
           metric_usd(sum(flow_usd)) AS flow_usd,  -- to cents (migration 0013)
           count(*) AS days_reported,
           CASE WHEN min(flow_source) = max(flow_source) THEN min(flow_source) ELSE 'mixed' END
               AS source,
           max(fund_latest) AS fund_latest,
           (array_agg(shares_outstanding ORDER BY date DESC)
                FILTER (WHERE shares_outstanding IS NOT NULL))[1] AS shares_outstanding,
           (array_agg(nav ORDER BY date DESC) FILTER (WHERE nav IS NOT NULL))[1] AS nav
    FROM daily
    GROUP BY fund_id, bucket
),
-- The trading days of every bucket in the range, in one pass over the calendar (a lookup per
-- period cost most of the query).
labels AS (
    SELECT CASE $2
               WHEN 'day' THEN c.date
               WHEN 'week' THEN date_trunc('week', c.date)::date
               ELSE date_trunc('month', c.date)::date
           END AS bucket,
           min(c.date) AS first_day, max(c.date) AS last_day, count(*) AS trading_days
    FROM calendar_day c
    WHERE c.trading
      AND c.date BETWEEN (SELECT min(bucket) FROM periods) AND (SELECT max(bucket_end) FROM periods)
    GROUP BY 1
),
flagged AS (
    SELECT p.fund_id, p.bucket,
           coalesce(l.first_day, p.bucket) AS period_start,
           coalesce(l.last_day, p.bucket_end) AS period_end,
           p.flow_usd, p.source, p.shares_outstanding, p.nav, p.days_reported::int,
           p.fund_latest,
           coalesce(l.trading_days, 0)::int AS trading_days,
           p.flow_usd > 0
               AND p.flow_usd > coalesce(max(p.flow_usd) OVER prior, 'Infinity') AS is_record_inflow,
           p.flow_usd < 0
               AND p.flow_usd < coalesce(min(p.flow_usd) OVER prior, '-Infinity') AS is_record_outflow
    FROM periods p
    LEFT JOIN labels l ON l.bucket = p.bucket
    WINDOW prior AS (PARTITION BY p.fund_id ORDER BY p.bucket
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
-- The columns of FundFlow (service/models.py), in order.
SELECT s.symbol, $2::text AS period, f.period_start, f.period_end, f.flow_usd, f.source,
       f.shares_outstanding, f.nav, f.is_record_inflow, f.is_record_outflow, f.days_reported,
       f.trading_days, f.period_end <= least($4::date, f.fund_latest) AS complete
FROM flagged f
JOIN security s ON s.id = f.fund_id
WHERE $3::date IS NULL OR f.bucket = $3::date
ORDER BY s.symbol, f.bucket

-- name: latest_flow_date
SELECT max(date) FROM fund_flow WHERE flow_usd IS NOT NULL
