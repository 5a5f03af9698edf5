-- SEC fails-to-deliver (service/sources/sec_ftd/): the aggregate net balance of shares that failed
-- to be delivered at NSCC's Continuous Net Settlement system, per security and settlement date,
-- from SEC's half-monthly `cnsfailsYYYYMM{a,b}.zip` files.
--
-- `quantity` is a balance (fails outstanding on that settlement date: earlier fails not yet
-- delivered plus the day's new fails less those delivered), not the day's new fails. A security
-- without a row on a settlement date its file covers had no fails that day. `price` is the close
-- SEC gives with the row (NULL where the file writes `.`, mostly OTC issues). `symbol` is SEC's
-- symbol in the spelling of FINRA's short interest files (Shortflow's securities), `cusip` SEC's.
-- `known_from` is when the file became known (docs/sources.md: the day it was first stored, or
-- its half-month's end + 30 days if that is earlier, for backfills); a file stored again later
-- keeps the first date.
CREATE TABLE fails_to_deliver (
    security_id     bigint NOT NULL REFERENCES security (id),
    settlement_date date NOT NULL,
    cusip           text NOT NULL CHECK (cusip ~ '^[0-9A-Z*@#]{9}$'),
    symbol          text NOT NULL,
    quantity        bigint NOT NULL CHECK (quantity >= 0),
    price           numeric CHECK (price >= 0),
    description     text,
    known_from      date NOT NULL CHECK (known_from >= settlement_date),
    ingest_run_id   bigint REFERENCES ingest_run (id),
    PRIMARY KEY (security_id, settlement_date, cusip)
);

-- The squeeze screen: the newest settlement date known on a date (max() walks this index
-- backwards from the date), then every security's fails in the 20 days ending there, summed from
-- the index alone (measured: 80,000 rows in about 30 ms; the key's 400,000 probes took 470 ms).
CREATE INDEX fails_to_deliver_settlement_idx ON fails_to_deliver (settlement_date, known_from)
    INCLUDE (security_id, quantity);

INSERT INTO dataset_version (dataset) VALUES ('fails_to_deliver');
