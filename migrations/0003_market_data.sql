-- Market data: short interest (point in time), Reg SHO short volume, daily prices, fund flows.
-- Sizes for ten years of the whole US market: short_interest ~6M rows, short_volume ~25M,
-- price_daily ~20M, fund_flow ~1M. See docs/data-model.md for how each scales.

-- Creates the yearly partitions [from_year, to_year] of a table partitioned by range on a date
-- column, named <table>_<year>. Safe to call concurrently and when they exist (ingest calls it
-- for the years a file touches before writing).
CREATE FUNCTION ensure_year_partitions(parent regclass, from_year int, to_year int)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    year int;
    child text;
BEGIN
    IF from_year IS NULL OR to_year IS NULL THEN
        RETURN;
    END IF;
    FOR year IN from_year..to_year LOOP
        child := format('%s_%s', parent::text, year);
        IF to_regclass(child) IS NULL THEN
            -- Serialise creators of the same partition; the loser finds it made.
            PERFORM pg_advisory_xact_lock(hashtext(child));
            IF to_regclass(child) IS NULL THEN
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                    child, parent, make_date(year, 1, 1), make_date(year + 1, 1, 1)
                );
            END IF;
        END IF;
    END LOOP;
END;
$$;

-- Point-in-time short interest. One row per version of a value: the first version of a
-- settlement date is known from its FINRA publication date; a revision (a later file whose
-- previous position, flagged R, differs from what was stored) adds a version known from that later
-- file's publication date. The value as known on D is the version with the latest known_from <= D.
CREATE TABLE short_interest (
    security_id             bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    settlement_date         date NOT NULL,
    known_from              date NOT NULL,
    short_interest          bigint NOT NULL CHECK (short_interest >= 0),
    -- As reported in the same row (the previous settlement's value, after any revision).
    previous_short_interest bigint CHECK (previous_short_interest >= 0),
    average_daily_volume    bigint CHECK (average_daily_volume >= 0),
    -- As FINRA reports it (1.00 minimum, 999.99 when average daily volume is 0).
    days_to_cover           double precision CHECK (days_to_cover >= 0),
    split                   boolean NOT NULL DEFAULT false,
    -- FINRA's revisionFlag on this row: its *previous* position was revised.
    previous_revised        boolean NOT NULL DEFAULT false,
    -- This version replaces an earlier value of the same settlement date.
    revised                 boolean NOT NULL DEFAULT false,
    market_class            text,
    ingest_run_id           bigint NOT NULL REFERENCES ingest_run (id),
    PRIMARY KEY (security_id, settlement_date, known_from)
);

-- Whole-market questions ask by settlement date (index exposure, screens).
CREATE INDEX short_interest_settlement_idx ON short_interest (settlement_date, security_id);

-- Reg SHO daily short sale volume, per reporting facility (CNMS is FINRA's consolidated file).
-- Volumes are double precision because newer files carry fractional shares. No foreign key and no
-- run id: at ~25M rows the per-row cost matters more than the check, and the file -> run mapping
-- (one date and facility per file) is in ingest_run.
CREATE TABLE short_volume (
    security_id         bigint NOT NULL,
    date                date NOT NULL,
    facility            text NOT NULL CHECK (facility ~ '^[A-Z]{4}$'),
    short_volume        double precision NOT NULL CHECK (short_volume >= 0),
    short_exempt_volume double precision NOT NULL CHECK (short_exempt_volume >= 0),
    total_volume        double precision NOT NULL CHECK (total_volume >= 0),
    market              text,
    PRIMARY KEY (security_id, date, facility)
) PARTITION BY RANGE (date);

CREATE TABLE short_volume_default PARTITION OF short_volume DEFAULT;

-- Rows arrive in date order (one file per day), so a BRIN index answers "all securities on day D"
-- at a tiny fraction of a btree's size.
CREATE INDEX short_volume_date_brin ON short_volume USING brin (date);

-- Daily prices (unadjusted closes: short value is shares short times the close of that day).
CREATE TABLE price_daily (
    security_id   bigint NOT NULL,
    date          date NOT NULL,
    open          double precision CHECK (open >= 0),
    high          double precision CHECK (high >= 0),
    low           double precision CHECK (low >= 0),
    close         double precision NOT NULL CHECK (close > 0),
    volume        bigint CHECK (volume >= 0),
    ingest_run_id bigint,
    PRIMARY KEY (security_id, date)
) PARTITION BY RANGE (date);

CREATE TABLE price_daily_default PARTITION OF price_daily DEFAULT;
CREATE INDEX price_daily_date_brin ON price_daily USING brin (date);

-- Daily fund flows. flow_usd is the reported flow, or (shares outstanding - previous trading
-- day's) x NAV when only share counts are given ('derived'); NULL is missing data, never zero.
CREATE TABLE fund_flow (
    fund_id            bigint NOT NULL REFERENCES security (id) ON DELETE CASCADE,
    date               date NOT NULL,
    flow_usd           double precision,
    flow_source        text CHECK (flow_source IN ('reported', 'derived')),
    shares_outstanding bigint CHECK (shares_outstanding >= 0),
    nav                double precision CHECK (nav > 0),
    ingest_run_id      bigint REFERENCES ingest_run (id),
    PRIMARY KEY (fund_id, date),
    CHECK ((flow_usd IS NULL) = (flow_source IS NULL))
);

CREATE INDEX fund_flow_date_idx ON fund_flow (date) WHERE flow_usd IS NOT NULL;

-- Yearly partitions for the years most data falls in; ingest creates others on demand.
SELECT ensure_year_partitions('short_volume', 2010, 2030);
SELECT ensure_year_partitions('price_daily', 2010, 2030);
