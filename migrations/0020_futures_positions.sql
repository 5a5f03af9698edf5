-- CFTC Traders in Financial Futures (futures only): weekly positions per index futures contract.
-- One row per contract and report date (the Tuesday, or the Monday of a holiday week, whose close
-- the positions are as of). `release_date` is when CFTC published the report (the Friday of that
-- week, or the next business day after a federal holiday): point-in-time answers see a report
-- only from then. Only the contracts Shortflow maps to an index are kept
-- (service/sources/cftc/contracts.py), with the multiplier (USD per index point) read from the
-- file's contract-units text and checked against that mapping. `emini_equivalent` is what one
-- contract counts as in the index's E-mini contracts (1, or 0.01 for a micro), so that the
-- contracts of one index can be summed. A later file for the same week (CFTC's yearly file
-- restating it) replaces the figures; the release date stays the first one stored.
CREATE TABLE futures_position (
    contract_code            text NOT NULL CHECK (contract_code ~ '^[0-9A-Z+]{6}$'),
    report_date              date NOT NULL,
    release_date             date NOT NULL CHECK (release_date > report_date),
    index_code               text NOT NULL REFERENCES market_index (code),
    contract_name            text NOT NULL,
    contract_units           text NOT NULL,
    multiplier               numeric NOT NULL CHECK (multiplier > 0),
    emini_equivalent         numeric NOT NULL CHECK (emini_equivalent > 0),
    open_interest            bigint NOT NULL CHECK (open_interest >= 0),
    dealers_long             bigint NOT NULL CHECK (dealers_long >= 0),
    dealers_short            bigint NOT NULL CHECK (dealers_short >= 0),
    dealers_spread           bigint NOT NULL CHECK (dealers_spread >= 0),
    asset_managers_long      bigint NOT NULL CHECK (asset_managers_long >= 0),
    asset_managers_short     bigint NOT NULL CHECK (asset_managers_short >= 0),
    asset_managers_spread    bigint NOT NULL CHECK (asset_managers_spread >= 0),
    leveraged_funds_long     bigint NOT NULL CHECK (leveraged_funds_long >= 0),
    leveraged_funds_short    bigint NOT NULL CHECK (leveraged_funds_short >= 0),
    leveraged_funds_spread   bigint NOT NULL CHECK (leveraged_funds_spread >= 0),
    other_reportables_long   bigint NOT NULL CHECK (other_reportables_long >= 0),
    other_reportables_short  bigint NOT NULL CHECK (other_reportables_short >= 0),
    other_reportables_spread bigint NOT NULL CHECK (other_reportables_spread >= 0),
    ingest_run_id            bigint REFERENCES ingest_run (id),
    PRIMARY KEY (contract_code, report_date)
);

CREATE INDEX futures_position_index_idx ON futures_position (index_code, report_date);

INSERT INTO dataset_version (dataset) VALUES ('futures_positions');
