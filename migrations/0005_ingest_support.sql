-- What the ingest pipeline needs beyond the first schema:
-- * security.info_as_of: the date of the source that last set a security's name and market class,
--   so loading an older file never overwrites newer descriptive data;
-- * short_interest.previous_settlement_date: the FINRA settlement date before this one (from the
--   NYSE calendar), which a row's R flag and previous position refer to;
-- * ingest_run.rows_skipped and summary: rows that carry no data by design (cash lines of a
--   holdings file, `null` price rows) and what the run changed;
-- * Reg SHO short volume packed one row per security, facility and month (see below).

ALTER TABLE security ADD COLUMN info_as_of date;

ALTER TABLE short_interest ADD COLUMN previous_settlement_date date;

-- The ingest resolves every row to an existing security and writes its own run id in the same
-- transaction; the per-row foreign-key checks cost as much as the insert itself (measured: 240 of
-- 470 ms for a full-market file) and guard nothing the pipeline does not already guarantee.
ALTER TABLE short_interest
    DROP CONSTRAINT short_interest_security_id_fkey,
    DROP CONSTRAINT short_interest_ingest_run_id_fkey;
-- Finds the rows whose R flag revises a given settlement date (ingest of files out of order).
CREATE INDEX short_interest_revises_idx ON short_interest (previous_settlement_date)
    WHERE previous_revised;

ALTER TABLE ingest_run
    ADD COLUMN rows_skipped integer NOT NULL DEFAULT 0 CHECK (rows_skipped >= 0),
    ADD COLUMN summary jsonb NOT NULL DEFAULT '{}';

-- Reg SHO daily short volume, one row per security, facility and calendar month, with the days of
-- the month and their values in parallel arrays (days ascending and unique). A daily row per
-- security costs Postgres a heap tuple and a btree entry (~5 us each on modest hardware): 25M of
-- them make a 5M-row backfill take minutes and the table several GB. Packed by month it is ~21x
-- fewer rows and index entries, a security's year is 12 rows, and the per-day view below keeps
-- queries simple. Daily files update the month row in place (merge by day).
DROP TABLE short_volume;

CREATE TABLE short_volume_month (
    security_id         bigint NOT NULL,
    facility            text NOT NULL CHECK (facility ~ '^[A-Z]{4}$'),
    month               date NOT NULL CHECK (extract(day FROM month) = 1),
    days                smallint[] NOT NULL,
    short_volume        double precision[] NOT NULL,
    short_exempt_volume double precision[] NOT NULL,
    total_volume        double precision[] NOT NULL,
    market              text[] NOT NULL,
    PRIMARY KEY (security_id, facility, month),
    CHECK (
        cardinality(days) > 0
        AND cardinality(short_volume) = cardinality(days)
        AND cardinality(short_exempt_volume) = cardinality(days)
        AND cardinality(total_volume) = cardinality(days)
        AND cardinality(market) = cardinality(days)
    )
);

-- Month rows are written in date order, so BRIN answers "every security in month M" cheaply.
CREATE INDEX short_volume_month_brin ON short_volume_month USING brin (month);

-- One row per security, day and facility. Filter on `month` as well as `date` so the primary key
-- (security_id, facility, month) can be used: WHERE month BETWEEN date_trunc('month', $from) AND $to.
CREATE VIEW short_volume AS
SELECT m.security_id,
       (m.month + (e.day - 1))::date AS date,
       m.facility,
       e.short_volume,
       e.short_exempt_volume,
       e.total_volume,
       e.market,
       m.month
FROM short_volume_month m
CROSS JOIN LATERAL unnest(m.days, m.short_volume, m.short_exempt_volume, m.total_volume, m.market)
    AS e (day, short_volume, short_exempt_volume, total_volume, market);

-- Every security holds an interval for its current symbol from the day it is created, so a symbol
-- on a date always resolves through security_symbol (renames then move intervals, not rows).
-- A statement-level trigger with a transition table: one set-based insert per statement, so creating
-- the 22k securities of a first full-market file costs one statement, not 22k.
CREATE FUNCTION security_symbol_on_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO security_symbol (security_id, symbol)
    SELECT n.id, n.symbol FROM inserted_securities n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER security_symbol_on_insert
AFTER INSERT ON security
REFERENCING NEW TABLE AS inserted_securities
FOR EACH STATEMENT EXECUTE FUNCTION security_symbol_on_insert();

INSERT INTO security_symbol (security_id, symbol)
SELECT s.id, s.symbol FROM security s
WHERE NOT EXISTS (SELECT 1 FROM security_symbol ss WHERE ss.security_id = s.id);
