-- Three corrections to the metric functions of migration 0010 (same signatures, so the view
-- short_interest_point and every query using them pick them up unchanged), and a repair of flows
-- derived from share counts of non-trading days.

-- The precision every served figure is rounded to, stated once (docs/rest.md "Numbers"): US
-- dollar amounts to cents, percentages (values x 100) to 4 decimals, days to cover to 2. A
-- double carries ~15 significant digits; without rounding, a product or sum shows its binary
-- noise (7526599694.549999, -85187999.99999999). Half away from zero, on the double's value to
-- 15 significant digits (the float8 -> numeric cast).
CREATE FUNCTION metric_usd(amount double precision) RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN round(amount::numeric, 2)::double precision;

CREATE FUNCTION metric_percent(value double precision) RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN round(value::numeric, 4)::double precision;

-- Days to cover as FINRA reports it. 999.99 means two things in FINRA's files: with an average
-- daily volume of 0 it is a sentinel (days to cover undefined: NULL); with volume above 0 it is
-- FINRA's cap (the true figure is at least 999.99: kept as 999.99, flag DAYS_TO_COVER_CAPPED).
-- With the volume unknown the two cannot be told apart, so 999.99 is then undefined too.
CREATE OR REPLACE FUNCTION metric_days_to_cover(reported double precision, average_daily_volume bigint)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN average_daily_volume = 0 THEN NULL
            WHEN reported >= 999.99 AND average_daily_volume IS NULL THEN NULL
            WHEN reported >= 999.99 THEN 999.99
            ELSE round(reported::numeric, 2)::double precision END;

CREATE OR REPLACE FUNCTION metric_percent_of(part bigint, whole bigint) RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN whole IS NULL OR whole = 0 THEN NULL
            ELSE metric_percent(part::double precision / whole::double precision * 100) END;

CREATE OR REPLACE FUNCTION metric_short_value_usd(short_interest bigint, close double precision)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN metric_usd(short_interest * close);

CREATE OR REPLACE FUNCTION metric_short_volume_ratio(
    short_volume double precision, total_volume double precision
) RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN total_volume <= 0 THEN NULL
            ELSE metric_percent(short_volume / total_volume * 100) END;

CREATE OR REPLACE FUNCTION metric_price_change_percent(earlier double precision, later double precision)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN earlier > 0 AND later IS NOT NULL
            THEN metric_percent((later / earlier - 1) * 100) END;

-- Data-quality flags, in a fixed order; DAYS_TO_COVER_UNDEFINED and DAYS_TO_COVER_CAPPED follow
-- metric_days_to_cover above (null and 999.99 respectively).
CREATE OR REPLACE FUNCTION metric_flags(
    change_percent double precision,
    average_daily_volume bigint,
    days_to_cover_reported double precision,
    short_interest bigint,
    float_value bigint,
    float_as_of date,
    settlement_date date,
    split boolean,
    revised boolean
) RETURNS text[]
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN array_remove(ARRAY[
    CASE WHEN abs(change_percent) >= 90 THEN 'EXTREME_CHANGE' END,
    CASE WHEN average_daily_volume = 0
              OR (average_daily_volume IS NULL AND days_to_cover_reported >= 999.99)
         THEN 'DAYS_TO_COVER_UNDEFINED' END,
    CASE WHEN average_daily_volume > 0 AND days_to_cover_reported >= 999.99
         THEN 'DAYS_TO_COVER_CAPPED' END,
    CASE WHEN short_interest > float_value THEN 'EXCEEDS_FLOAT' END,
    CASE WHEN split THEN 'SPLIT' END,
    CASE WHEN revised THEN 'REVISED' END,
    CASE WHEN settlement_date - float_as_of > 180 THEN 'STALE_FLOAT' END
], NULL);

-- Derived flows stored before this migration took a share count dated on a weekend or holiday
-- as "the previous trading day" (PSLV 2025-11-17: -$304M from a Saturday count instead of 0).
-- Recompute every derived flow by the rule of ingest_flows.sql derive_flows: only share counts
-- of NYSE trading days count, and a non-trading day has no derived flow.
WITH counted AS (
    SELECT f.fund_id, f.date, f.shares_outstanding, f.nav,
           lag(f.shares_outstanding) OVER w AS previous_shares,
           lag(f.date) OVER w AS previous_date
    FROM fund_flow f
    JOIN calendar_day t ON t.date = f.date AND t.trading
    WHERE f.shares_outstanding IS NOT NULL
    WINDOW w AS (PARTITION BY f.fund_id ORDER BY f.date)
),
derived AS (
    SELECT f.fund_id, f.date,
           CASE
               WHEN c.nav IS NOT NULL AND c.previous_shares IS NOT NULL
                    AND c.previous_date >= (SELECT max(t.date) FROM calendar_day t
                                            WHERE t.trading AND t.date < c.date)
               THEN (c.shares_outstanding - c.previous_shares) * c.nav
           END AS flow_usd
    FROM fund_flow f
    LEFT JOIN counted c ON c.fund_id = f.fund_id AND c.date = f.date
    WHERE f.shares_outstanding IS NOT NULL
)
UPDATE fund_flow f
SET flow_usd = d.flow_usd,
    flow_source = CASE WHEN d.flow_usd IS NULL THEN NULL ELSE 'derived' END
FROM derived d
WHERE f.fund_id = d.fund_id
  AND f.date = d.date
  AND f.flow_source IS DISTINCT FROM 'reported'
  AND f.flow_usd IS DISTINCT FROM d.flow_usd;

-- Every dataset's answers change (rounding, flags, flows): cached responses computed before this
-- migration must not be served after it.
UPDATE dataset_version SET version = version + 1, updated_at = now();
