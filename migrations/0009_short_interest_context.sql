-- What a short-interest point's metrics need besides the position itself, per security and
-- settlement date: the float and shares outstanding known on that date, and the close valuing it
-- (the last close on or before it, at most 5 trading days back). Computing them per point at read
-- time cost four index probes per point (10 ms for a ten-year history on modest hardware); they
-- change only when an ingest brings short interest, prices or share counts, so the ingest
-- refreshes the rows it affects (service/db/queries/context.sql) and reads are one join.
CREATE TABLE short_interest_context (
    security_id              bigint NOT NULL,
    settlement_date          date NOT NULL,
    float_shares             bigint,
    float_as_of              date,
    shares_outstanding       bigint,
    shares_outstanding_as_of date,
    close                    double precision,
    close_date               date,
    PRIMARY KEY (security_id, settlement_date)
);

-- Existing data (an empty table on a new database).
INSERT INTO short_interest_context
SELECT k.security_id, k.settlement_date,
       fl.float_shares, fl.as_of, so.shares_outstanding, so.as_of, px.close, px.date
FROM (SELECT DISTINCT security_id, settlement_date FROM short_interest) k
LEFT JOIN LATERAL (
    SELECT sc.float_shares, sc.as_of FROM share_count sc
    WHERE sc.security_id = k.security_id AND sc.as_of <= k.settlement_date
      AND sc.float_shares IS NOT NULL
    ORDER BY sc.as_of DESC LIMIT 1
) fl ON true
LEFT JOIN LATERAL (
    SELECT sc.shares_outstanding, sc.as_of FROM share_count sc
    WHERE sc.security_id = k.security_id AND sc.as_of <= k.settlement_date
      AND sc.shares_outstanding IS NOT NULL
    ORDER BY sc.as_of DESC LIMIT 1
) so ON true
LEFT JOIN LATERAL (
    SELECT pd.close, pd.date FROM price_daily pd
    WHERE pd.security_id = k.security_id AND pd.date <= k.settlement_date
      AND pd.date >= (SELECT c.price_window_start FROM calendar_day c
                      WHERE c.date = k.settlement_date)
    ORDER BY pd.date DESC LIMIT 1
) px ON true;
