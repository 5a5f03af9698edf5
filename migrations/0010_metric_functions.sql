-- The metric definitions of PRODUCT.md section 2, as SQL functions: the one place each metric is
-- computed, used by every query that serves it (GraphQL and REST read the same columns). Simple
-- SQL functions are inlined by the planner, so calling them costs what the expression costs.
-- tests/analytics/test_metrics.py checks each against a plain reference implementation.

-- current - previous short interest (shares); NULL when previous is unknown.
CREATE FUNCTION metric_change(current bigint, previous bigint) RETURNS bigint
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN current - previous;

-- (current - previous) / previous x 100 rounded to 2 decimals (exact decimal arithmetic);
-- NULL when previous is 0 or unknown.
CREATE FUNCTION metric_change_percent(current bigint, previous bigint) RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN previous IS NULL OR previous = 0 THEN NULL
            ELSE round((current - previous)::numeric * 100 / previous, 2)::double precision END;

-- Days to cover as FINRA reports it; NULL when average daily volume is 0 (FINRA's 999.99).
CREATE FUNCTION metric_days_to_cover(reported double precision, average_daily_volume bigint)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN average_daily_volume = 0 OR reported >= 999.99 THEN NULL ELSE reported END;

-- part / whole x 100; NULL when the whole is unknown or 0.
CREATE FUNCTION metric_percent_of(part bigint, whole bigint) RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN whole IS NULL OR whole = 0 THEN NULL
            ELSE part::double precision / whole::double precision * 100 END;

-- Shares short x close (the close on or before the settlement date, at most 5 trading days back).
CREATE FUNCTION metric_short_value_usd(short_interest bigint, close double precision)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN short_interest * close;

-- Short volume / total volume x 100; NULL without volume.
CREATE FUNCTION metric_short_volume_ratio(short_volume double precision, total_volume double precision)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN total_volume <= 0 THEN NULL ELSE short_volume / total_volume * 100 END;

-- Price move from one close to a later one, in percent; NULL without both closes.
CREATE FUNCTION metric_price_change_percent(earlier double precision, later double precision)
RETURNS double precision
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN earlier > 0 AND later IS NOT NULL THEN (later / earlier - 1) * 100 END;

-- The float a position is compared with: float shares, or an ETF's shares outstanding
-- (creations and redemptions make all of an ETF's shares float).
CREATE FUNCTION metric_float_base(security_type text, float_shares bigint, shares_outstanding bigint)
RETURNS bigint
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN security_type = 'etf' THEN shares_outstanding ELSE float_shares END;

-- Data-quality flags, in a fixed order.
CREATE FUNCTION metric_flags(
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
    CASE WHEN average_daily_volume = 0 OR days_to_cover_reported >= 999.99
         THEN 'DAYS_TO_COVER_UNDEFINED' END,
    CASE WHEN short_interest > float_value THEN 'EXCEEDS_FLOAT' END,
    CASE WHEN split THEN 'SPLIT' END,
    CASE WHEN revised THEN 'REVISED' END,
    CASE WHEN settlement_date - float_as_of > 180 THEN 'STALE_FLOAT' END
], NULL);

-- Every version of every short-interest value with its metrics, in the field order of
-- service.models.ShortInterestPoint. Queries filter it by security, date and known_from.
CREATE VIEW short_interest_point AS
SELECT si.security_id,
       si.settlement_date,
       si.known_from AS published_date,
       si.short_interest,
       si.previous_short_interest,
       metric_change(si.short_interest, si.previous_short_interest) AS change,
       metric_change_percent(si.short_interest, si.previous_short_interest) AS change_percent,
       si.average_daily_volume,
       metric_days_to_cover(si.days_to_cover, si.average_daily_volume) AS days_to_cover,
       metric_percent_of(si.short_interest, base.float_value) AS short_percent_of_float,
       metric_percent_of(si.short_interest, c.shares_outstanding)
           AS short_percent_of_shares_outstanding,
       metric_short_value_usd(si.short_interest, c.close) AS short_value_usd,
       si.revised,
       metric_flags(metric_change_percent(si.short_interest, si.previous_short_interest),
                    si.average_daily_volume, si.days_to_cover, si.short_interest,
                    base.float_value, base.float_as_of, si.settlement_date, si.split,
                    si.revised) AS flags,
       base.float_value AS float_shares,
       base.float_as_of,
       c.shares_outstanding,
       c.shares_outstanding_as_of,
       c.close AS close_price,
       c.close_date,
       si.known_from
FROM short_interest si
JOIN security s ON s.id = si.security_id
LEFT JOIN short_interest_context c
       ON c.security_id = si.security_id AND c.settlement_date = si.settlement_date
CROSS JOIN LATERAL (
    SELECT metric_float_base(s.type, c.float_shares, c.shares_outstanding) AS float_value,
           CASE WHEN s.type = 'etf' THEN c.shares_outstanding_as_of ELSE c.float_as_of END
               AS float_as_of
) base;
