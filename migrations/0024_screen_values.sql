-- The market screens' values of every short-interest version, stored instead of computed per
-- request. The short interest screen filters and orders the whole market of a settlement date
-- (22,000 securities) by the point's numeric fields; computing them through the view
-- short_interest_point (the metric functions of migrations 0010 and 0013) for every row was most of
-- its time. This table holds, per version, the same values the view gives, in the order of
-- service.models.SCREEN_FIELDS, and its flags; triggers keep it equal to the view whenever an input
-- of the view changes (a short-interest version, its context, a security's type), in the same
-- transaction. tests/db/test_screen_values.py checks it equals the view after every kind of ingest.

CREATE TABLE short_interest_screen_value (
    security_id     bigint NOT NULL,
    settlement_date date NOT NULL,
    known_from      date NOT NULL,
    vals            float8[] NOT NULL,
    flags           text[] NOT NULL,
    PRIMARY KEY (settlement_date, security_id, known_from),
    FOREIGN KEY (security_id, settlement_date, known_from)
        REFERENCES short_interest (security_id, settlement_date, known_from)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX short_interest_screen_value_security_idx
    ON short_interest_screen_value (security_id, settlement_date);

-- The stored columns as the view gives them (the backfill below and the refresh read it).
CREATE VIEW short_interest_screen_point AS
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

-- Recompute the stored values of the (security, settlement date) keys a statement touched: its
-- transition table `changed` (a security whose type changed: every settlement date of it).
CREATE FUNCTION screen_values_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    dates date[];
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
    DELETE FROM short_interest_screen_value v
    USING unnest(ids, dates) AS k (security_id, settlement_date)
    WHERE v.security_id = k.security_id AND v.settlement_date = k.settlement_date;
    INSERT INTO short_interest_screen_value
    SELECT p.*
    FROM unnest(ids, dates) AS k (security_id, settlement_date)
    JOIN short_interest_screen_point p
      ON p.security_id = k.security_id AND p.settlement_date = k.settlement_date;
    RETURN NULL;
END
$$;

CREATE TRIGGER short_interest_screen_values_insert AFTER INSERT ON short_interest
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION screen_values_refresh();
CREATE TRIGGER short_interest_screen_values_update AFTER UPDATE ON short_interest
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION screen_values_refresh();
CREATE TRIGGER context_screen_values_insert AFTER INSERT ON short_interest_context
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION screen_values_refresh();
CREATE TRIGGER context_screen_values_update AFTER UPDATE ON short_interest_context
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION screen_values_refresh();
CREATE TRIGGER context_screen_values_delete AFTER DELETE ON short_interest_context
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION screen_values_refresh();
CREATE TRIGGER security_screen_values_update AFTER UPDATE ON security
    REFERENCING OLD TABLE AS before_change NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION screen_values_refresh();

INSERT INTO short_interest_screen_value SELECT * FROM short_interest_screen_point;
