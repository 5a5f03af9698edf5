-- Fund flows from staging (flow_usd, shares_outstanding, nav; ref_date is the day).

-- name: upsert_flows
-- $1 run id. A reported flow replaces whatever the day had; share counts and NAV fill in without
-- erasing what another file gave. Derived flows are recomputed by derive_flows below.
INSERT INTO fund_flow AS f (fund_id, date, flow_usd, flow_source, shares_outstanding, nav,
                            ingest_run_id)
SELECT security_id, ref_date, flow_usd,
       CASE WHEN flow_usd IS NULL THEN NULL ELSE 'reported' END,
       shares_outstanding, nav, $1
FROM staging
ON CONFLICT (fund_id, date) DO UPDATE
SET flow_usd = CASE WHEN excluded.flow_usd IS NOT NULL THEN excluded.flow_usd ELSE f.flow_usd END,
    flow_source = CASE WHEN excluded.flow_usd IS NOT NULL THEN 'reported' ELSE f.flow_source END,
    shares_outstanding = coalesce(excluded.shares_outstanding, f.shares_outstanding),
    nav = coalesce(excluded.nav, f.nav),
    ingest_run_id = excluded.ingest_run_id
WHERE (excluded.flow_usd IS NOT NULL AND excluded.flow_usd IS DISTINCT FROM f.flow_usd)
   OR (excluded.shares_outstanding IS NOT NULL
       AND excluded.shares_outstanding IS DISTINCT FROM f.shares_outstanding)
   OR (excluded.nav IS NOT NULL AND excluded.nav IS DISTINCT FROM f.nav)

-- name: upsert_share_counts
-- A fund's shares outstanding are also its share count (the float of an ETF, for % of float).
INSERT INTO share_count AS c (security_id, as_of, shares_outstanding, ingest_run_id)
SELECT security_id, ref_date, shares_outstanding, $1
FROM staging
WHERE shares_outstanding IS NOT NULL
ON CONFLICT (security_id, as_of) DO UPDATE
SET shares_outstanding = excluded.shares_outstanding, ingest_run_id = excluded.ingest_run_id
WHERE c.shares_outstanding IS DISTINCT FROM excluded.shares_outstanding

-- name: derive_flows
-- For the funds of this file: where a day has no reported flow, flow = (shares outstanding -
-- shares outstanding of the fund's previous day with a count) x NAV of the day, provided that
-- previous day is no earlier than the previous NYSE trading day (a gap leaves the flow missing
-- instead of lumping several days into one). Only share counts of trading days take part: a count
-- dated on a weekend or holiday (PSLV's Saturday 2025-11-15) is not "the previous trading day" of
-- the next session, and a non-trading day has no derived flow (non_trading_share_counts counts
-- them). Rows whose derived value changed are updated. Migration 0013 applies the same rule to
-- every fund once.
WITH counted AS (
    SELECT f.fund_id, f.date, f.shares_outstanding, f.nav,
           lag(f.shares_outstanding) OVER w AS previous_shares,
           lag(f.date) OVER w AS previous_date
    FROM fund_flow f
    JOIN calendar_day t ON t.date = f.date AND t.trading
    WHERE f.fund_id IN (SELECT DISTINCT security_id FROM staging)
      AND f.shares_outstanding IS NOT NULL
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
    WHERE f.fund_id IN (SELECT DISTINCT security_id FROM staging)
      AND f.shares_outstanding IS NOT NULL
)
UPDATE fund_flow f
SET flow_usd = d.flow_usd,
    flow_source = CASE WHEN d.flow_usd IS NULL THEN NULL ELSE 'derived' END
FROM derived d
WHERE f.fund_id = d.fund_id
  AND f.date = d.date
  AND f.flow_source IS DISTINCT FROM 'reported'
  AND f.flow_usd IS DISTINCT FROM d.flow_usd

-- name: non_trading_share_counts
-- Rows of this file with a share count but no reported flow dated on a day the NYSE did not
-- trade: stored as share counts, not used for derived flows (derive_flows).
SELECT count(*)
FROM staging st
JOIN calendar_day t ON t.date = st.ref_date AND NOT t.trading
WHERE st.shares_outstanding IS NOT NULL AND st.flow_usd IS NULL
