-- Short interest (FINRA bulk file and website export) from staging into point-in-time versions.
-- Staging columns: settlement_date, known_from (publication date), previous_settlement_date,
-- short_interest, previous_short_interest, average_daily_volume, days_to_cover, split,
-- previous_revised, market_class.

-- name: insert_versions
-- $1 run id, $2 ingest date.
-- A settlement date seen for the first time is known from its FINRA publication date. A value that
-- differs from the latest stored version of the same date (a corrected file) is known from the
-- later of the publication date and the ingest date: that is when we learned it. An identical value
-- adds nothing, so re-loading overlapping files (bulk and website export) changes nothing.
WITH staged AS (
    SELECT st.*, latest.short_interest AS stored_value
    FROM staging st
    LEFT JOIN LATERAL (
        SELECT si.short_interest
        FROM short_interest si
        WHERE si.security_id = st.security_id
          AND si.settlement_date = st.settlement_date
        ORDER BY si.known_from DESC
        LIMIT 1
    ) latest ON true
)
INSERT INTO short_interest AS si (
    security_id, settlement_date, known_from, short_interest, previous_short_interest,
    average_daily_volume, days_to_cover, split, previous_revised, revised, market_class,
    previous_settlement_date, ingest_run_id
)
SELECT security_id,
       settlement_date,
       CASE WHEN stored_value IS NULL THEN known_from ELSE greatest(known_from, $2::date) END,
       short_interest,
       previous_short_interest,
       average_daily_volume,
       days_to_cover,
       split,
       previous_revised,
       stored_value IS NOT NULL,
       market_class,
       previous_settlement_date,
       $1
FROM staged
WHERE stored_value IS NULL OR stored_value <> short_interest
ON CONFLICT (security_id, settlement_date, known_from) DO UPDATE
SET short_interest = excluded.short_interest,
    previous_short_interest = excluded.previous_short_interest,
    average_daily_volume = excluded.average_daily_volume,
    days_to_cover = excluded.days_to_cover,
    split = excluded.split,
    previous_revised = excluded.previous_revised,
    revised = excluded.revised,
    market_class = excluded.market_class,
    ingest_run_id = excluded.ingest_run_id

-- name: apply_revisions
-- $1 run id, $2 settlement dates this file touched.
-- A row flagged R reports that the previous settlement date's position was revised to its
-- previousShortPositionQuantity. When that differs from the previous date's value as known before
-- the row was published, a revised version of the previous date is added, known from the row's
-- publication date. Both directions are covered: rows of this file revising stored dates, and
-- stored rows of later dates revising the dates this file brings (files loaded out of order).
-- Days to cover of the revised value: FINRA's rule (position / average daily volume, at least
-- 1.00 and at most 999.99, FINRA's cap; 999.99 without volume) on the original row's average
-- daily volume.
WITH revising AS (
    SELECT r.*
    FROM short_interest r
    WHERE r.previous_revised AND r.settlement_date = ANY($2::date[])
    UNION
    SELECT r.*
    FROM short_interest r
    WHERE r.previous_revised AND r.previous_settlement_date = ANY($2::date[])
)
INSERT INTO short_interest (
    security_id, settlement_date, known_from, short_interest, previous_short_interest,
    average_daily_volume, days_to_cover, split, previous_revised, revised, market_class,
    previous_settlement_date, ingest_run_id
)
SELECT r.security_id,
       r.previous_settlement_date,
       r.known_from,
       r.previous_short_interest,
       before.previous_short_interest,
       before.average_daily_volume,
       CASE
           WHEN before.average_daily_volume IS NULL THEN NULL
           WHEN before.average_daily_volume = 0 THEN 999.99
           ELSE least(999.99, greatest(1.0, round(r.previous_short_interest::numeric
                                                  / before.average_daily_volume, 2)))
                    ::double precision
       END,
       before.split,
       before.previous_revised,
       true,
       before.market_class,
       before.previous_settlement_date,
       $1
FROM revising r
JOIN LATERAL (
    SELECT p.*
    FROM short_interest p
    WHERE p.security_id = r.security_id
      AND p.settlement_date = r.previous_settlement_date
      AND p.known_from < r.known_from
    ORDER BY p.known_from DESC
    LIMIT 1
) before ON true
WHERE r.previous_short_interest IS NOT NULL
  AND before.short_interest <> r.previous_short_interest
ON CONFLICT (security_id, settlement_date, known_from) DO NOTHING
RETURNING settlement_date

-- name: staged_settlement_dates
SELECT DISTINCT settlement_date FROM staging ORDER BY 1
