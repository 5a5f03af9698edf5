-- Every calendar day from 1980 to five years ahead, with what SQL needs to know about it:
-- whether the NYSE traded, and the first day of the price window ending on it (short value uses
-- the last close on or before a settlement date, at most 5 trading days back). Filled and
-- refreshed by `shortflow migrate` from the NYSE calendar; replaces trading_day.
CREATE TABLE calendar_day (
    date               date PRIMARY KEY,
    trading            boolean NOT NULL,
    price_window_start date NOT NULL
);

DROP TABLE trading_day;
