-- Every short-interest version's point with its metrics, stored instead of computed per read.
-- The view of migration 0010 joined each version to its context (short_interest_context: the
-- float, shares outstanding and close of its settlement date) and computed the metrics on every
-- read; the join was most of a short series' Postgres time (a 24-point series: 0.41 against 0.23
-- ms of backend CPU a statement read from a stored copy, docs/benchmarks.md "Stored points"),
-- and every point of a series paid it again on each request. The view stays the definition,
-- renamed short_interest_point_computed; the table short_interest_point holds its rows, one per
-- version, and the triggers of migration 0024 (renamed stored_values_refresh) keep it equal to
-- the view whenever an input changes (a version, its context, a security's type), in the same
-- transaction as the change, before they refresh the screen values. Readers keep the name
-- short_interest_point. tests/db/test_screen_values.py checks the table equals the view after
-- every kind of ingest and change.

ALTER VIEW short_interest_point RENAME TO short_interest_point_computed;

CREATE TABLE short_interest_point AS SELECT * FROM short_interest_point_computed WITH NO DATA;
ALTER TABLE short_interest_point
    ADD PRIMARY KEY (security_id, settlement_date, known_from),
    ADD FOREIGN KEY (security_id, settlement_date, known_from)
        REFERENCES short_interest (security_id, settlement_date, known_from)
        ON DELETE CASCADE ON UPDATE CASCADE;

-- The screen values read the stored points (the same values, without the join).
CREATE OR REPLACE VIEW short_interest_screen_point AS
SELECT p.security_id, p.settlement_date, p.known_from,
       ARRAY[
           p.short_interest::float8, p.change::float8, p.change_percent, p.days_to_cover,
           p.short_percent_of_float, p.short_percent_of_shares_outstanding, p.short_value_usd,
           p.close_price, p.average_daily_volume::float8,
           round((p.average_daily_volume * p.close_price)::numeric, 2)::float8,
           round((p.shares_outstanding * p.close_price)::numeric, 2)::float8
       ] AS vals,
       p.flags
FROM short_interest_point p;

-- Recompute the stored rows of the (security, settlement date) keys a statement touched: its
-- transition table `changed` (a security whose type changed: every settlement date of it). Each
-- table from the view it stores, in this order: the points, then the screen values read from
-- them.
ALTER FUNCTION screen_values_refresh() RENAME TO stored_values_refresh;
CREATE OR REPLACE FUNCTION stored_values_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    dates date[];
    stored text;
    source text;
BEGIN
    IF TG_TABLE_NAME = 'security' THEN
        SELECT array_agg(k.security_id), array_agg(k.settlement_date) INTO ids, dates
        FROM (SELECT DISTINCT si.security_id, si.settlement_date
              FROM changed c
              JOIN before_change b ON b.id = c.id AND b.type IS DISTINCT FROM c.type
              JOIN short_interest si ON si.security_id = c.id) k;
    ELSE
        SELECT array_agg(k.security_id), array_agg(k.settlement_date) INTO ids, dates
        FROM (SELECT DISTINCT c.security_id, c.settlement_date FROM changed c) k;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    FOR stored, source IN VALUES ('short_interest_point', 'short_interest_point_computed'),
                                 ('short_interest_screen_value', 'short_interest_screen_point')
    LOOP
        EXECUTE format(
            'DELETE FROM %I v USING unnest($1, $2) AS k (security_id, settlement_date) '
            'WHERE v.security_id = k.security_id AND v.settlement_date = k.settlement_date',
            stored
        ) USING ids, dates;
        EXECUTE format(
            'INSERT INTO %I SELECT p.* FROM unnest($1, $2) AS k (security_id, settlement_date) '
            'JOIN %I p ON p.security_id = k.security_id AND p.settlement_date = k.settlement_date',
            stored, source
        ) USING ids, dates;
    END LOOP;
    RETURN NULL;
END
$$;

INSERT INTO short_interest_point SELECT * FROM short_interest_point_computed;
ANALYZE short_interest_point;
